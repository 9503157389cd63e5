package io.quiver.bench.compare;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.args.LogFormat;
import io.quiver.bench.load.Outcome;
import java.nio.file.Path;

/**
 * The peer for chat: llama.cpp in process through its Java binding (de.kherud:llama), on the GGUF holding the same
 * weights as the server's ONNX model. Greedy, fixed output length (ignore EOS), no prompt cache (the server has
 * none), {@code parallel} slots with continuous batching so that concurrent streams share decode steps as they do
 * in the server.
 */
public final class LlamaCppPeer implements AutoCloseable {
    private final LlamaModel model;

    public LlamaCppPeer(Path gguf, int threads, int parallel, int contextPerSlot) {
        LlamaModel.setLogger(LogFormat.TEXT, (level, message) -> { });
        this.model = new LlamaModel(new ModelParameters().setModel(gguf.toString()).setThreads(threads)
                .setThreadsBatch(threads).setParallel(parallel).setCtxSize(parallel * contextPerSlot)
                .enableContBatching().setGpuLayers(0));
    }

    public int promptTokens(String prompt) {
        return model.encode(prompt).length;
    }

    public Outcome generate(String prompt, int tokens) {
        InferenceParameters params = new InferenceParameters(prompt).setNPredict(tokens).setIgnoreEos(true)
                .setTemperature(0f).setCachePrompt(false);
        long start = System.nanoTime();
        long first = -1;
        long last = 0;
        long[] gaps = new long[Math.max(0, tokens - 1)];
        int n = 0;
        try {
            for (LlamaOutput ignored : model.generate(params)) {
                long now = System.nanoTime();
                if (first < 0) {
                    first = now;
                } else if (n - 1 < gaps.length) {
                    gaps[n - 1] = now - last;
                }
                last = now;
                n++;
            }
        } catch (RuntimeException e) {
            return Outcome.failed(500, e.toString(), System.nanoTime() - start);
        }
        long[] recorded = java.util.Arrays.copyOf(gaps, Math.max(0, Math.min(gaps.length, n - 1)));
        return new Outcome(200, n == 0 ? "no tokens" : null, first - start, System.nanoTime() - start, recorded, n, 0);
    }

    @Override
    public void close() {
        model.close();
    }
}
