package io.quiver.bench.compare;

import io.quiver.bench.load.Route;

/**
 * The ratios Quiver aims at against each kind of peer (> 1: Quiver better), as the bench's own goals state them:
 * vLLM's throughput and TTFT at 8 and 32 streams; llama.cpp's 4-bit server at 1 and 8 streams on the same blocks;
 * Infinity at every level (and its c = 1 latency); Optimum's Stable Diffusion pipeline. None elsewhere.
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
        if (longPrompts) {
            return null;
        }
        if (peer.startsWith("vLLM")) {
            boolean level = concurrency == 8 || concurrency == 32;
            return level && (throughput || metric.startsWith("TTFT p50")) ? 1.0 : null;
        }
        if (peer.startsWith("llama-server Q4") && throughput) {
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
