#!/usr/bin/env python3
"""onnxruntime's own Python session on a model-builder graph: how long it takes to open, with MatMulNBits' weight
prepacking on (the default) and off, and what a decode step and a 64-token prefill then cost.

The floor under Quiver's "session/load" in the cold-start table: the same ONNX Runtime, the same file, two intra-op
threads that do not spin, and nothing else (no JVM, no tokenizer, no graph cache).

    ort_session_open.py --model DIR/model.onnx [--runs 3] [--past 512]
"""
import argparse
import statistics
import time

import numpy as np
import onnxruntime as ort


def options(prepack):
    so = ort.SessionOptions()
    so.intra_op_num_threads = 2
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    if not prepack:
        so.add_session_config_entry("session.disable_prepacking", "1")
    return so


def feeds(session, head_size, seq, past):
    """Inputs of one forward pass: `seq` new tokens after `past` cached positions (zeros), batch 1."""
    out = {}
    for i in session.get_inputs():
        if i.name == "input_ids":
            out[i.name] = np.full((1, seq), 100, dtype=np.int64)
        elif i.name == "attention_mask":
            out[i.name] = np.ones((1, past + seq), dtype=np.int64)
        elif i.name == "position_ids":
            out[i.name] = np.arange(past, past + seq, dtype=np.int64)[None]
        elif i.name.startswith("past_key_values"):
            dtype = np.float16 if "float16" in i.type else np.float32
            out[i.name] = np.zeros((1, i.shape[1], past, head_size), dtype=dtype)
    return out


def timed(fn, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--past", type=int, default=512)
    parser.add_argument("--head-size", type=int, default=128)
    args = parser.parse_args()
    print(f"onnxruntime {ort.__version__}, {args.model}")
    for prepack in (True, False):
        opened = timed(lambda: ort.InferenceSession(args.model, options(prepack),
                                                    providers=["CPUExecutionProvider"]), args.runs)
        session = ort.InferenceSession(args.model, options(prepack), providers=["CPUExecutionProvider"])
        step = feeds(session, args.head_size, 1, args.past)
        prefill = feeds(session, args.head_size, 64, 0)
        session.run(None, step)
        decode_ms = timed(lambda: session.run(None, step), args.runs) * 1e3
        prefill_ms = timed(lambda: session.run(None, prefill), args.runs) * 1e3
        print(f"prepacking {'on' if prepack else 'off'}: open {opened:.2f} s (median of {args.runs}), "
              f"decode step after {args.past} positions {decode_ms:.0f} ms, 64-token prefill {prefill_ms:.0f} ms")


if __name__ == "__main__":
    main()
