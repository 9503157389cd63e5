#!/usr/bin/env python3
"""Writes a random-weight Qwen2-architecture chat model of a given shape for benchmarks, at bench time (never
committed): the ONNX export Quiver serves (Optimum decoder I/O, weights in onnx/model.onnx_data) and the same weights
as model.safetensors (Hugging Face tensor names), from which `bench compare` writes the GGUF llama.cpp loads. Random
weights with real shapes cost the same compute as trained ones.

Reuses the PyTorch reference model and ONNX export of models/fixtures/chat/generate.py, and the DeepSeek tokenizer of
the committed tiny fixture (so the vocabulary is DeepSeek's 128,815 tokens rather than Qwen2's 151,936).

    /usr/bin/python3 bench/models/generate_chat.py --shape qwen2-0.5b --out bench/target/models/qwen2-0.5b-random
"""
import argparse
import importlib.util
import json
import os
import shutil
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
FIXTURE_SCRIPT = os.path.join(REPO, "models", "fixtures", "chat", "generate.py")
FIXTURE = os.path.join(REPO, "models", "src", "main", "resources", "fixtures", "tiny-random-deepseek-r1")

# Qwen2-0.5B's config.json, but the vocabulary of the tokenizer we have and a 4k context (the KV cache the server
# may reserve per sequence; compute per token does not depend on it).
SHAPES = {
    "qwen2-0.5b": dict(hidden_size=896, intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14,
                       num_key_value_heads=2, rope_theta=1000000.0, max_position_embeddings=4096),
    "tiny": dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                 num_key_value_heads=2, rope_theta=10000.0, max_position_embeddings=512),
}


def load_fixture_module():
    spec = importlib.util.spec_from_file_location("chat_fixture", FIXTURE_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def hf_name(name):
    """Our module names → transformers' Qwen2ForCausalLM names (what GGUF converters expect)."""
    for proj in ("gate_proj", "up_proj", "down_proj"):
        name = name.replace("." + proj, ".mlp." + proj)
    return "model." + name


def write_safetensors(model, path):
    tensors = [(hf_name(n), p.detach().contiguous().float()) for n, p in model.named_parameters()]
    header, offset = {}, 0
    for name, t in tensors:
        size = t.numel() * 4
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + size]}
        offset += size
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for _, t in tensors:
            f.write(t.numpy().tobytes())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shape", choices=sorted(SHAPES), default="qwen2-0.5b")
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=20250601)
    parser.add_argument("--init-std", type=float, default=0.02)
    args = parser.parse_args()

    fixture = load_fixture_module()
    config = dict(fixture.CONFIG)
    config.update(SHAPES[args.shape])
    config["max_window_layers"] = config["num_hidden_layers"]
    config["initializer_range"] = args.init_std

    out = os.path.abspath(args.out)
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    for f in ("tokenizer.json", "tokenizer_config.json", "generation_config.json", "LICENSE-tokenizer"):
        shutil.copy(os.path.join(FIXTURE, f), os.path.join(out, f))
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)

    torch.manual_seed(args.seed)
    model = fixture.Qwen2(config).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "layernorm" in name or name.startswith("norm"):
                p.fill_(1.0)
            else:
                p.normal_(0.0, args.init_std)
    write_safetensors(model, os.path.join(out, "model.safetensors"))

    import onnx
    path = os.path.join(out, "onnx", "model.onnx")
    with torch.no_grad():
        fixture.export(model, path)
    proto = onnx.load(path)  # torch writes its own external files past 2 GB; gather them into one
    for stale in os.listdir(os.path.join(out, "onnx")):
        if stale != "model.onnx":
            os.remove(os.path.join(out, "onnx", stale))
    onnx.save_model(proto, path, save_as_external_data=True, all_tensors_to_one_file=True,
                    location="model.onnx_data", size_threshold=1024)
    params = sum(p.numel() for p in model.parameters())
    print(f"{args.shape}: {params / 1e6:.1f} M parameters -> {out}")


if __name__ == "__main__":
    main()
