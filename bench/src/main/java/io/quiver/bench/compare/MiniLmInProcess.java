package io.quiver.bench.compare;

import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import io.quiver.bench.load.Outcome;

/** The peer for embeddings: langchain4j's in-process all-MiniLM-L6-v2 (the same ONNX model Quiver embeds). */
public final class MiniLmInProcess {
    private final AllMiniLmL6V2EmbeddingModel model = new AllMiniLmL6V2EmbeddingModel();

    public Outcome embed(String text) {
        long start = System.nanoTime();
        try {
            int dims = model.embed(text).content().dimension();
            long took = System.nanoTime() - start;
            return dims == 384 ? new Outcome(200, null, took, took, new long[0], 0, 0)
                    : Outcome.failed(200, "dimension " + dims, took);
        } catch (RuntimeException e) {
            return Outcome.failed(500, e.toString(), System.nanoTime() - start);
        }
    }
}
