"""The llama.cpp side of the R1-Distill-Qwen-1.5B shape (r1_shapes.py): the same random model, rebuilt from the same
config and seed, saved as a Hugging Face folder that llama.cpp's convert_hf_to_gguf.py reads, and a check that a
GGUF made from it holds the ONNX graph's weights.

    python r1_gguf.py hf HF_DIR             # the transformers folder (float16 safetensors, the R1 tokenizer)
    python r1_gguf.py check GGUF ONNX_DIR   # GGUF tensors == the ONNX graph's initialisers (to float16)

The folder is saved in float16: half the disk of float32, and the F16 GGUF converted from it is bit for bit what
llama.cpp would write from float32 (both round to nearest even; llama.cpp keeps 1-D tensors, norms and biases, as
F32, which here hold the float16-rounded values, as model_fp16.onnx does).
"""
import gc
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import r1_shapes  # noqa: E402  (the model itself, so both sides build one)


def hf(out):
    built = r1_shapes.model().half()
    built.save_pretrained(out)
    del built
    gc.collect()
    for f in ("tokenizer.json", "tokenizer_config.json", "LICENSE-tokenizer"):
        shutil.copy(os.path.join(r1_shapes.FIXTURE, f), os.path.join(out, f))


def check(gguf_path, onnx_dir):
    """The first and last tensors the seed draws (token embedding, lm_head) and a bias, against model.onnx, or
    model_fp16.onnx where the float32 graph was not kept; exits 1 on a difference."""
    import numpy as np
    import onnx
    from gguf import GGUFReader

    reader = GGUFReader(gguf_path)
    tensors = {t.name: t for t in reader.tensors}
    pre = reader.fields["tokenizer.ggml.pre"].contents()
    graph = next(os.path.join(onnx_dir, f) for f in ("model.onnx", "model_fp16.onnx")
                 if os.path.exists(os.path.join(onnx_dir, f)))
    inits = {i.name: i for i in onnx.load(graph, load_external_data=False).graph.initializer}
    hidden, vocab = r1_shapes.SHAPE["hidden_size"], r1_shapes.SHAPE["vocab_size"]
    lm_head = next(i for n, i in inits.items() if list(i.dims) == [hidden, vocab])  # MatMul's weight, transposed
    pairs = [("token_embd.weight", inits["model.embed_tokens.weight"], False),
             ("output.weight", lm_head, True),
             ("blk.27.attn_q.bias", inits["model.layers.27.self_attn.q_proj.bias"], False)]
    failed = False
    for name, init, transposed in pairs:
        expected = external(init, onnx_dir)
        expected = expected.T if transposed else expected
        got = np.asarray(tensors[name].data).reshape(expected.shape)
        worst = 0.0
        for row in range(0, expected.shape[0], 8192):  # in blocks: a whole 151,936 × 1,536 copy is gigabytes
            want = expected[row:row + 8192].astype(np.float16).astype(np.float32)
            worst = max(worst, float(np.max(np.abs(got[row:row + 8192].astype(np.float32) - want))))
        print(f"{name}: {list(expected.shape)} max |gguf - onnx| = {worst:g}")
        failed |= worst > 1e-6
    print(f"tokenizer.ggml.pre = {pre}")
    if failed:
        sys.exit("the GGUF does not hold the ONNX graph's weights: the two scripts built different models")


def external(init, onnx_dir):
    import numpy as np

    where = {e.key: e.value for e in init.external_data}
    dtype = {1: np.float32, 10: np.float16}[init.data_type]
    data = np.memmap(os.path.join(onnx_dir, where["location"]), dtype=np.uint8, mode="r",
                     offset=int(where.get("offset", 0)), shape=(int(where["length"]),))
    return np.frombuffer(data, dtype=dtype).reshape(list(init.dims))


if __name__ == "__main__":
    if sys.argv[1] == "hf":
        hf(sys.argv[2])
    elif sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
