#!/usr/bin/env python3
"""onnxruntime's own Python session on a model-builder graph: how long it takes to open, with MatMulNBits' weight
prepacking on (the default) and off, and what a decode step and a 64-token prefill then cost.

The floor under Quiver's "session/load" in the cold-start table: the same ONNX Runtime, the same file, two intra-op
threads that do not spin, and nothing else (no JVM, no tokenizer, no graph cache).

With --accuracy-levels, the same graph with every MatMulNBits node's accuracy_level set to each level in turn
(0/1: float products, 4: int8 activations), prepacking on: which level a CPU decodes and prefills fastest with, and
what its packing costs at open. Each variant is written into a temporary folder beside the model's, its external
data hard-linked (ONNX Runtime refuses external data outside the graph's folder, links included), and removed.

    ort_session_open.py --model DIR/model.onnx [--runs 3] [--past 512] [--accuracy-levels 4,1,0]
"""
import argparse
import os
import shutil
import statistics
import tempfile
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


def measure(model, prepack, args):
    """Open time (median of runs), then a decode step after --past positions and a 64-token prefill, in ms."""
    opened = timed(lambda: ort.InferenceSession(model, options(prepack), providers=["CPUExecutionProvider"]),
                   args.runs)
    session = ort.InferenceSession(model, options(prepack), providers=["CPUExecutionProvider"])
    step = feeds(session, args.head_size, 1, args.past)
    prefill = feeds(session, args.head_size, 64, 0)
    session.run(None, step)
    decode_ms = timed(lambda: session.run(None, step), args.runs) * 1e3
    prefill_ms = timed(lambda: session.run(None, prefill), args.runs) * 1e3
    return (f"open {opened:.2f} s (median of {args.runs}), decode step after {args.past} positions "
            f"{decode_ms:.0f} ms, 64-token prefill {prefill_ms:.0f} ms ({prefill_ms / 64:.1f} ms a token)")


def with_accuracy_level(model, level, folder):
    """The graph with every MatMulNBits' accuracy_level set to `level`, in `folder`, its data hard-linked."""
    import onnx
    graph = onnx.load(model, load_external_data=False)
    for node in graph.graph.node:
        if node.op_type == "MatMulNBits":
            attribute = next((a for a in node.attribute if a.name == "accuracy_level"), None)
            if attribute is None:
                node.attribute.append(onnx.helper.make_attribute("accuracy_level", level))
            else:
                attribute.i = level
    source = os.path.dirname(os.path.abspath(model))
    for name in os.listdir(source):
        if name.startswith(os.path.basename(model)) and name != os.path.basename(model):
            os.link(os.path.join(source, name), os.path.join(folder, name))
    out = os.path.join(folder, os.path.basename(model))
    onnx.save(graph, out)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--past", type=int, default=512)
    parser.add_argument("--head-size", type=int, default=128)
    parser.add_argument("--accuracy-levels", type=lambda v: [int(x) for x in v.split(",")])
    args = parser.parse_args()
    print(f"onnxruntime {ort.__version__}, {args.model}")
    if not args.accuracy_levels:
        for prepack in (True, False):
            print(f"prepacking {'on' if prepack else 'off'}: {measure(args.model, prepack, args)}")
        return
    parent = os.path.dirname(os.path.dirname(os.path.abspath(args.model)))
    for level in args.accuracy_levels:
        folder = tempfile.mkdtemp(prefix=".accuracy-level-", dir=parent)
        try:
            print(f"accuracy level {level}: {measure(with_accuracy_level(args.model, level, folder), True, args)}",
                  flush=True)
        finally:
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
