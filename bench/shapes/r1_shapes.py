"""Random-weight graphs with the real shape of DeepSeek-R1-Distill-Qwen-1.5B, for cold-start and throughput
benches (never committed): Qwen2ForCausalLM with the published config (28 layers, hidden 1536, 12 heads / 2 KV
heads, MLP 8960, vocab 151,936), exported by Optimum and quantised by onnxruntime's tools exactly as the chat
fixtures are (models/fixtures/chat/exports.py), in onnx-community's layout: onnx/model.onnx + model.onnx_data,
model_fp16.onnx (+ data), model_q4.onnx. The tokenizer and template are the tiny R1 fixture's (DeepSeek's own).

    python r1_shapes.py OUT_DIR [fp32,fp16,q4]
"""
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "models", "fixtures", "chat"))
import exports  # noqa: E402  (the fixtures' exporters)

FIXTURE = os.path.join(REPO, "models", "src", "main", "resources", "fixtures", "tiny-random-deepseek-r1")
SHAPE = dict(hidden_size=1536, intermediate_size=8960, num_hidden_layers=28, num_attention_heads=12,
             num_key_value_heads=2, vocab_size=151936, max_position_embeddings=131072, rope_theta=10000.0,
             rms_norm_eps=1e-6, tie_word_embeddings=False, use_sliding_window=False, max_window_layers=21)


def export(model, out):
    """Optimum's export, as exports.export does it but without holding the torch model, a second copy of the graph
    or Optimum's validation session in memory beside it (a 1.5B export would need over 20 GB)."""
    import gc
    import tempfile

    from optimum.exporters.onnx import main_export

    with tempfile.TemporaryDirectory() as work:
        saved = os.path.join(work, "hf")
        model.save_pretrained(saved)
        model.to("meta")
        gc.collect()
        main_export(saved, output=os.path.join(out, "onnx"), task="text-generation-with-past", device="cpu",
                    do_validation=False)
    for f in ("config.json", "generation_config.json"):
        shutil.move(os.path.join(out, "onnx", f), os.path.join(out, f))
    for f in os.listdir(os.path.join(out, "onnx")):
        if not f.startswith("model.onnx"):
            os.remove(os.path.join(out, "onnx", f))
    return os.path.join(out, "onnx", "model.onnx")


def model():
    """The random model every graph of the shape holds (the Optimum graphs here, the builder export and the GGUFs
    through r1_gguf.py): the published config, seed 15, and an output layer that speaks in whole characters."""
    import transformers

    tiny = json.load(open(os.path.join(FIXTURE, "config.json")))
    config = transformers.Qwen2Config(**SHAPE, bos_token_id=tiny["bos_token_id"], eos_token_id=tiny["eos_token_id"])
    built = exports.build(transformers.Qwen2ForCausalLM, config, seed=15, init_std=0.02, embedding_std=None)
    built.generation_config = transformers.GenerationConfig(bos_token_id=tiny["bos_token_id"],
                                                            eos_token_id=tiny["eos_token_id"])
    whole_characters(built)
    return built


def whole_characters(built):
    """Zeroes the output rows of every token that is not whole text: byte pieces of a character, special tokens and
    the rows past the tokenizer's vocabulary. A random model otherwise picks them as often as words: a server holds
    a character's first bytes back until the rest comes and shows no special token, so the benches timed the gaps
    between visible text, not between tokens (llama-server even held a whole answer back behind one stray byte). A
    real model's answers are text; with these rows at zero (logit 0, under the largest random logit of the rest)
    greedy decoding never picks one, and every token a server streams is text it can show at once."""
    import torch
    from transformers.models.gpt2.tokenization_gpt2 import bytes_to_unicode

    byte_of = {c: b for b, c in bytes_to_unicode().items()}
    vocab = json.load(open(os.path.join(FIXTURE, "tokenizer.json")))["model"]["vocab"]
    keep = torch.zeros(SHAPE["vocab_size"], dtype=torch.bool)
    for piece, token in vocab.items():
        try:
            bytes(byte_of[c] for c in piece).decode("utf-8")
            keep[token] = True
        except (KeyError, UnicodeDecodeError):
            pass
    with torch.no_grad():
        built.lm_head.weight[~keep] = 0.0
    print(f"output rows kept: {int(keep.sum())} of {SHAPE['vocab_size']} (whole characters)")


def main(out, dtypes):
    built = model()
    os.makedirs(out, exist_ok=True)
    fp32 = export(built, out)
    for f in ("tokenizer.json", "tokenizer_config.json", "LICENSE-tokenizer"):
        shutil.copy(os.path.join(FIXTURE, f), os.path.join(out, f))
    if "fp16" in dtypes:
        exports.fp16(fp32, os.path.join(out, "onnx", "model_fp16.onnx"), external=True)
    if "q4" in dtypes:
        exports.q4(fp32, os.path.join(out, "onnx", "model_q4.onnx"))
    if "fp32" not in dtypes:
        for f in (fp32, fp32 + "_data"):
            os.remove(f)
    for f in sorted(os.listdir(os.path.join(out, "onnx"))):
        print(f"{f}: {os.path.getsize(os.path.join(out, 'onnx', f)) / 2**30:.2f} GiB")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2].split(",") if len(sys.argv) > 2 else ["fp32", "fp16", "q4"])
