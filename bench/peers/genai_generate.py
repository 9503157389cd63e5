#!/usr/bin/env python3
"""onnxruntime-genai's own Generator on a model-builder folder: the "same graph" ceiling beside Quiver.

Static batching in process: B chat prompts go in as one padded batch, greedy, every row generates exactly
max_tokens tokens (end-of-sequence suppressed until then, as Quiver's ignore_eos), and the batch ends together.
No server, no HTTP, no rows joining or leaving: what ONNX Runtime does with the graph when nothing else runs.
Per batch it reports TTFT (prefill and the first token) and every decode step's time, which is the inter-token
latency each row of the batch sees.

    genai_generate.py --model DIR --batch 8 --max-tokens 32 --duration 10      # one level, a summary as JSON
    genai_generate.py --model DIR --serve                                     # batches asked for on stdin

--serve reads one JSON object a line, {"messages": [[{"role": ..., "content": ...}, ...], ...], "max_tokens": N},
one message list per row, and answers each with one line: {"prompt_tokens": [...], "ttft_ns": ..., "gaps_ns":
[...], "e2e_ns": ...}, and "texts" (each row's answer) when the line asks "text": true (bench compare's genai peer
drives it so that both sides draw the same prompts, and checks that both give the same greedy answer).

Threads: ONNX Runtime's default intra-op pool, as Quiver's sessions; idle threads do not spin unless
--allow-spinning 1 (Quiver's quiver.cpu.spin-wait is off by default; ONNX Runtime's own default spins).
Padding uses <|endoftext|>-like id --pad-id (default 0), not the folder's pad id: SmolLM2's pad id is <|im_end|>,
which occurs inside chat prompts and would be masked as padding.
"""
import argparse
import json
import random
import sys
import time

import numpy as np
import onnxruntime_genai as og

WORDS = ("the a of to and in is that for it as was with be by on not he this are or his from at which but have an "
         "they you were her she there been one all we their model server request token latency memory scale "
         "cluster pod queue window sunset light blue red river mountain city market history science explain "
         "describe compare summarize why how what where list reasons steps example answer briefly").split()


def load(model_dir, threads, spinning, pad_id):
    config = og.Config(model_dir)
    options = {"session.intra_op.allow_spinning": str(spinning), "session.inter_op.allow_spinning": str(spinning)}
    if threads > 0:
        options["intra_op_num_threads"] = threads
    config.overlay(json.dumps({"model": {"pad_token_id": pad_id, "decoder": {"session_options": options}}}))
    model = og.Model(config)
    return model, og.Tokenizer(model)


def batch(model, tokenizer, conversations, max_tokens, pad_id, text=False):
    """One static batch: returns the rows' prompt lengths, TTFT and each decode step's time (ns); with text, also
    each row's generated text (special tokens left out, as servers stream it)."""
    rows = [tokenizer.encode(tokenizer.apply_chat_template(json.dumps(c), add_generation_prompt=True))
            for c in conversations]
    width = max(len(r) for r in rows)
    ids = np.full((len(rows), width), pad_id, dtype=np.int32)
    for i, r in enumerate(rows):
        ids[i, :len(r)] = r
    params = og.GeneratorParams(model)
    length = width + max_tokens
    params.set_search_options(max_length=length, min_length=length, do_sample=False, batch_size=len(rows))
    start = time.perf_counter_ns()
    generator = og.Generator(model, params)
    generator.append_tokens(ids)
    generator.generate_next_token()  # the prefill's logits give the first token without another run
    ttft = time.perf_counter_ns() - start
    gaps = []
    last = time.perf_counter_ns()
    while not generator.is_done():
        generator.generate_next_token()
        now = time.perf_counter_ns()
        gaps.append(now - last)
        last = now
    e2e = time.perf_counter_ns() - start
    out = {"prompt_tokens": [len(r) for r in rows], "ttft_ns": ttft, "gaps_ns": gaps, "e2e_ns": e2e}
    if text:
        out["texts"] = [tokenizer.decode(generator.get_sequence(i)[width:]) for i in range(len(rows))]
    return out


def serve(model, tokenizer, pad_id):
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        ask = json.loads(line)
        try:
            out = batch(model, tokenizer, ask["messages"], int(ask["max_tokens"]), pad_id, ask.get("text", False))
        except Exception as e:  # answered, so the caller can say why instead of waiting
            out = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(out), flush=True)


def prompt(rng):
    words = rng.randint(15, 60)
    return " ".join(rng.choice(WORDS) for _ in range(words)) + "?"


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else 0


def level(model, tokenizer, args):
    """Batches back to back for --duration seconds after one warm-up batch; a summary like bench load's."""
    rng = random.Random(13)
    ask = lambda: [[{"role": "user", "content": prompt(rng)}] for _ in range(args.batch)]  # noqa: E731
    batch(model, tokenizer, ask(), args.max_tokens, args.pad_id)
    results = []
    start = time.perf_counter()
    while time.perf_counter() - start < args.duration or not results:
        results.append(batch(model, tokenizer, ask(), args.max_tokens, args.pad_id))
    seconds = time.perf_counter() - start
    gaps = [g / 1e6 for r in results for g in r["gaps_ns"]]
    ttft = [r["ttft_ns"] / 1e6 for r in results]
    tokens = len(results) * args.batch * args.max_tokens
    return {"engine": "onnxruntime-genai " + getattr(og, "__version__", "?") + " Generator, static batch",
            "batch": args.batch, "max_tokens": args.max_tokens, "batches": len(results), "seconds": seconds,
            "allow_spinning": args.allow_spinning, "output_tokens_per_second": tokens / seconds,
            "ttft_ms_p50": percentile(ttft, 50), "step_ms_p50": percentile(gaps, 50),
            "step_ms_p99": percentile(gaps, 99),
            "prompt_tokens_mean": sum(sum(r["prompt_tokens"]) for r in results) / (len(results) * args.batch)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="a model-builder folder (genai_config.json)")
    parser.add_argument("--serve", action="store_true", help="batches asked for on stdin, one JSON a line")
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--max-tokens", type=int, default=32)
    parser.add_argument("--duration", type=float, default=10, help="seconds of batches after one warm-up batch")
    parser.add_argument("--threads", type=int, default=0, help="intra-op threads (0: ONNX Runtime's default)")
    parser.add_argument("--allow-spinning", type=int, choices=(0, 1), default=0)
    parser.add_argument("--pad-id", type=int, default=0)
    args = parser.parse_args()
    model, tokenizer = load(args.model, args.threads, args.allow_spinning, args.pad_id)
    if args.serve:
        serve(model, tokenizer, args.pad_id)
    else:
        print(json.dumps(level(model, tokenizer, args), indent=2))


if __name__ == "__main__":
    main()
