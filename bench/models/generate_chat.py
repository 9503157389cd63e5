#!/usr/bin/env python3
"""Writes a random-weight Qwen2ForCausalLM chat model of a given shape for benchmarks, at bench time (never
committed): the ONNX folder Quiver serves, exported by Optimum as the chat fixture is (models/fixtures/chat/exports.py;
weights in onnx/model.onnx_data), and model.safetensors as transformers saves it, from which `bench compare` writes
the GGUF llama.cpp loads. Random weights with real shapes cost the same compute as trained ones.

The tokenizer is the committed tiny fixture's DeepSeek tokenizer (so the vocabulary is DeepSeek's 128,815 tokens
rather than Qwen2's 151,936). Runs in the fixtures' Python environment:

    "$(models/fixtures/python-env.sh)" bench/models/generate_chat.py --shape qwen2-0.5b \
        --out bench/target/models/qwen2-0.5b-random
"""
import argparse
import os
import shutil
import sys
import tempfile

from transformers import Qwen2Config, Qwen2ForCausalLM

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "models", "fixtures", "chat"))
import exports  # noqa: E402

FIXTURE = os.path.join(REPO, "models", "src", "main", "resources", "fixtures", "tiny-random-deepseek-r1")

# Qwen2-0.5B's config.json (tied embeddings), but the vocabulary of the tokenizer we have and a 4k context (the KV
# cache the server may reserve per sequence; compute per token does not depend on it).
SHAPES = {
    "qwen2-0.5b": dict(hidden_size=896, intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14,
                       num_key_value_heads=2, rope_theta=1000000.0, max_position_embeddings=4096,
                       tie_word_embeddings=True),
    "tiny": dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                 num_key_value_heads=2, rope_theta=10000.0, max_position_embeddings=512, tie_word_embeddings=True),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shape", choices=sorted(SHAPES), default="qwen2-0.5b")
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=20250601)
    parser.add_argument("--init-std", type=float, default=0.02)
    args = parser.parse_args()

    shape = SHAPES[args.shape]
    config = Qwen2Config(vocab_size=128815, rms_norm_eps=1e-6, hidden_act="silu", use_sliding_window=False,
                         max_window_layers=shape["num_hidden_layers"], bos_token_id=0, eos_token_id=1,
                         initializer_range=args.init_std, torch_dtype="float32", **shape)
    model = exports.build(Qwen2ForCausalLM, config, seed=args.seed, init_std=args.init_std, embedding_std=None)
    out = os.path.abspath(args.out)
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    exports.export(model, out)
    with tempfile.TemporaryDirectory() as work:  # the weights under transformers' names, one file
        model.save_pretrained(work, max_shard_size="100GB")
        shutil.move(os.path.join(work, "model.safetensors"), os.path.join(out, "model.safetensors"))
    for f in ("tokenizer.json", "tokenizer_config.json", "generation_config.json", "LICENSE-tokenizer"):
        shutil.copy(os.path.join(FIXTURE, f), os.path.join(out, f))
    params = sum(p.numel() for p in model.parameters())
    print(f"{args.shape}: {params / 1e6:.1f} M parameters -> {out}")


if __name__ == "__main__":
    main()
