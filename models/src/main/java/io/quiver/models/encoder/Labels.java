package io.quiver.models.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A classifier's label names ({@code id2label} of config.json) and how logits become scores, as transformers'
 * text-classification pipeline does it: softmax for single-label models, an independent sigmoid per label for
 * multi-label ones and for a single logit (a cross-encoder's relevance, where a softmax would always give 1).
 */
public record Labels(List<String> names, boolean multiLabel) {

    public static Labels of(JsonNode config) {
        JsonNode id2label = config.path("id2label");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < id2label.size(); i++) {
            names.add(id2label.path(String.valueOf(i)).asText("LABEL_" + i));
        }
        boolean multi = "multi_label_classification".equals(config.path("problem_type").asText());
        return new Labels(List.copyOf(names), multi);
    }

    public String name(int index) {
        return index < names.size() ? names.get(index) : "LABEL_" + index;
    }

    public float[] scores(float[] logits) {
        float[] out = new float[logits.length];
        if (multiLabel || logits.length == 1) {
            for (int i = 0; i < logits.length; i++) {
                out[i] = (float) (1 / (1 + Math.exp(-logits[i])));
            }
            return out;
        }
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            out[i] = (float) Math.exp(logits[i] - max);
            sum += out[i];
        }
        for (int i = 0; i < out.length; i++) {
            out[i] /= (float) sum;
        }
        return out;
    }
}
