package io.quiver.models.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.models.ModelFolder;

/** How token vectors become one sentence vector, as sentence-transformers' Pooling module declares it. */
public enum Pooling {
    MEAN, CLS, MAX, LAST_TOKEN;

    /** Reads {@code 1_Pooling/config.json} (sentence-transformers); mean pooling when the folder says nothing. */
    public static Pooling of(ModelFolder folder) {
        JsonNode config = folder.json("1_Pooling/config.json");
        if (config.path("pooling_mode_cls_token").asBoolean(false)) {
            return CLS;
        }
        if (config.path("pooling_mode_max_tokens").asBoolean(false)) {
            return MAX;
        }
        if (config.path("pooling_mode_lasttoken").asBoolean(false)) {
            return LAST_TOKEN;
        }
        return MEAN;
    }

    /**
     * Pools one row of token vectors.
     *
     * @param hidden the batch's token vectors, row-major [batch, seq, dim]
     * @param row which sequence of the batch
     * @param length how many real (unpadded) tokens the row has
     */
    public float[] pool(float[] hidden, int row, int seq, int dim, int length) {
        float[] out = new float[dim];
        int base = row * seq * dim;
        switch (this) {
            case CLS -> System.arraycopy(hidden, base, out, 0, dim);
            case LAST_TOKEN -> System.arraycopy(hidden, base + (length - 1) * dim, out, 0, dim);
            case MAX -> {
                java.util.Arrays.fill(out, Float.NEGATIVE_INFINITY);
                for (int t = 0; t < length; t++) {
                    for (int d = 0; d < dim; d++) {
                        out[d] = Math.max(out[d], hidden[base + t * dim + d]);
                    }
                }
            }
            case MEAN -> {
                for (int t = 0; t < length; t++) {
                    for (int d = 0; d < dim; d++) {
                        out[d] += hidden[base + t * dim + d];
                    }
                }
                for (int d = 0; d < dim; d++) {
                    out[d] /= length;
                }
            }
        }
        return out;
    }

    /** Scales a vector to unit length, as OpenAI embeddings are. */
    public static float[] normalize(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += x * x;
        }
        float norm = (float) Math.max(Math.sqrt(sum), 1e-12);
        for (int i = 0; i < v.length; i++) {
            v[i] /= norm;
        }
        return v;
    }
}
