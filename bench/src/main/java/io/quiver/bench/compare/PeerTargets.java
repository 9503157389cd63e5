package io.quiver.bench.compare;

import io.quiver.bench.load.Route;

/**
 * The ratios Quiver aims at against each kind of peer (> 1: Quiver better), as the bench's goals state them:
 * on the model-builder graph, onnxruntime-genai's own Generator at 1 stream (the same graph's ceiling) and
 * llama-server on Q4_0 blocks (the closest to the builder's symmetric int4) at 1, 8 and 32 streams and at long
 * prompts' ITL; on the Optimum q4 graph, llama-server's Q4_1 at 1 and 8 streams; vLLM's throughput and TTFT at 8
 * and 32 streams; Infinity at every level (and its c = 1 latency); Optimum's Stable Diffusion pipeline. None
 * elsewhere. The targets Quiver is held to against itself are {@link TargetCheck}s.
 */
final class PeerTargets {
    private PeerTargets() {
    }

    /** The target for one metric of one level (short prompts unless {@code longPrompts}), or null. */
    static Double of(String peer, Route route, String metric, int concurrency, boolean longPrompts) {
        boolean throughput = metric.endsWith("/s");
        if (route == Route.EMBEDDINGS) {
            return throughput || (metric.startsWith("e2e p50") && concurrency == 1) ? 1.0 : null;
        }
        if (route == Route.IMAGES) {
            return throughput ? 1.0 : null;
        }
        if (peer.equals("llama-server Q4_0")) {
            if (longPrompts) {
                return metric.equals("ITL p50 ms") ? 1.0 : null;
            }
            return throughput ? switch (concurrency) {
                case 1 -> 1.2;
                case 8 -> 2.0;
                case 32 -> 2.5;
                default -> null;
            } : null;
        }
        if (longPrompts) {
            return null;
        }
        if (peer.startsWith("onnxruntime-genai")) {
            return throughput && concurrency == 1 ? 0.95 : null;
        }
        if (peer.startsWith("vLLM")) {
            boolean level = concurrency == 8 || concurrency == 32;
            return level && (throughput || metric.startsWith("TTFT p50")) ? 1.0 : null;
        }
        if (peer.equals("llama-server Q4_1") && throughput) {
            if (concurrency == 1) {
                return 0.9;
            }
            if (concurrency == 8) {
                return 1.5;
            }
        }
        return null;
    }
}
