package io.quiver.models.encoder;

import ai.djl.Model;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.gpu.Placement;
import io.quiver.models.DjlOffline;
import io.quiver.models.InvalidRequestException;
import io.quiver.models.ModelFolder;
import io.quiver.models.ModelKind;
import io.quiver.models.ModelLoadException;
import io.quiver.models.OnnxLoader;
import io.quiver.models.TokenBudget;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A BERT-type encoder loaded through DJL: tokenises, pads a batch, runs the graph and turns its output into
 * sentence vectors (embedding models) or per-label logits (classifiers and cross-encoder rerankers).
 * {@link #forward} may run on several threads at once: the ONNX Runtime session allows it, and each call has its
 * own DJL predictor.
 */
public final class EncoderModel implements AutoCloseable {
    static {
        DjlOffline.ensure();
    }

    private final ModelKind kind;
    private final Model model;
    private final HuggingFaceTokenizer strict;
    private final HuggingFaceTokenizer truncating;
    private final boolean feedsTypeIds;
    private final int maxLength;
    private final int vocabSize;
    private final Pooling pooling;
    private final Labels labels;
    /** Width of an output row, read off the graph's first run (the warm-up), else the config's hidden size. */
    private volatile int width;

    private EncoderModel(ModelKind kind, Model model, HuggingFaceTokenizer strict, HuggingFaceTokenizer truncating,
                         int maxLength, int vocabSize, Pooling pooling, Labels labels) {
        this.kind = kind;
        this.model = model;
        this.strict = strict;
        this.truncating = truncating;
        this.feedsTypeIds = model.describeInput().keys().contains("token_type_ids");
        this.maxLength = maxLength;
        this.vocabSize = vocabSize;
        this.pooling = pooling;
        this.labels = labels;
    }

    public static EncoderModel load(Path root, ModelKind kind, Placement placement) {
        ModelFolder folder = ModelFolder.of(root);
        Path onnx = folder.onnxModel();
        Path tokenizerFile = folder.tokenizer();
        int maxLength = maxLength(folder);
        HuggingFaceTokenizer strict;
        HuggingFaceTokenizer truncating;
        try {
            strict = HuggingFaceTokenizer.newInstance(tokenizerFile, Map.of("padding", "false", "truncation", "false"));
            truncating = HuggingFaceTokenizer.newInstance(tokenizerFile,
                    Map.of("padding", "false", "truncation", "true", "maxLength", String.valueOf(maxLength)));
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException(tokenizerFile, "cannot read tokenizer: " + e.getMessage(), e);
        }
        Model model = OnnxLoader.loadDjl(onnx, placement);
        JsonNode config = folder.config();
        int vocab = config.path("vocab_size").asInt(Integer.MAX_VALUE);
        EncoderModel encoder = new EncoderModel(kind, model, strict, truncating, maxLength, vocab, Pooling.of(folder),
                Labels.of(config));
        encoder.width = config.path("hidden_size").asInt(0);
        return encoder;
    }

    /**
     * sentence-transformers' max_seq_length, else the position-embedding limit (BERT's 512 when unsaid), lowered to
     * the tokenizer's model_max_length where that is smaller: RoBERTa-type exports have 514 positions for 512
     * tokens. transformers writes a huge placeholder when the tokenizer sets no limit; that one is ignored.
     */
    private static int maxLength(ModelFolder folder) {
        int st = folder.json("sentence_bert_config.json").path("max_seq_length").asInt(0);
        if (st > 0) {
            return st;
        }
        int positions = folder.config().path("max_position_embeddings").asInt(512);
        JsonNode tokenizer = folder.json("tokenizer_config.json").path("model_max_length");
        boolean said = tokenizer.canConvertToInt() && tokenizer.asInt() > 0;
        return said ? Math.min(positions, tokenizer.asInt()) : positions;
    }

    public ModelKind kind() {
        return kind;
    }

    public int maxLength() {
        return maxLength;
    }

    public Labels labels() {
        return labels;
    }

    /** Numbers in each output row: an embedding's dimensions (or a classifier's logits), known before a request. */
    public int dimensions() {
        return width;
    }

    /**
     * Tokenises a text; over-long input is an error unless {@code truncate} asks to drop the tail. Reads at most
     * what can fit (see {@link TokenBudget}), however long the text.
     */
    public Encoding encode(String text, boolean truncate, String param) {
        var read = TokenBudget.encode(text, maxLength, strict::encode, e -> e.getIds().length);
        return fit(read.encoding(), read.complete(), truncate, param, () -> truncating.encode(read.text()));
    }

    /** Tokenises a (query, document) pair as a cross-encoder expects it. */
    public Encoding encodePair(String query, String document, boolean truncate, String param) {
        var q = TokenBudget.encode(query, maxLength, strict::encode, e -> e.getIds().length);
        var d = TokenBudget.encode(document, maxLength, strict::encode, e -> e.getIds().length);
        return fit(strict.encode(q.text(), d.text()), q.complete() && d.complete(), truncate, param,
                () -> truncating.encode(q.text(), d.text()));
    }

    /** Token ids given by the client, checked against the vocabulary; fed as they are. */
    public Encoding fromIds(long[] ids, boolean truncate, String param) {
        for (long id : ids) {
            if (id < 0 || id >= vocabSize) {
                throw new InvalidRequestException(param, "token id " + id + " is outside the vocabulary (0.."
                        + (vocabSize - 1) + ")");
            }
        }
        if (ids.length == 0) {
            throw new InvalidRequestException(param, "input must not be empty");
        }
        if (ids.length > maxLength) {
            if (!truncate) {
                throw tooLong(param, ids.length, true);
            }
            ids = java.util.Arrays.copyOf(ids, maxLength);
            return new Encoding(ids, new long[ids.length], true);
        }
        return new Encoding(ids, new long[ids.length], false);
    }

    private Encoding fit(ai.djl.huggingface.tokenizers.Encoding encoded, boolean complete, boolean truncate,
                         String param, java.util.function.Supplier<ai.djl.huggingface.tokenizers.Encoding> truncated) {
        long[] ids = encoded.getIds();
        if (complete && ids.length <= maxLength) {
            return new Encoding(ids, encoded.getTypeIds(), false);
        }
        if (!truncate) {
            throw tooLong(param, ids.length, complete);
        }
        var cut = truncated.get();
        return new Encoding(cut.getIds(), cut.getTypeIds(), true);
    }

    private InvalidRequestException tooLong(String param, int tokens, boolean counted) {
        return new InvalidRequestException(param, "input has " + (counted ? "" : "more than ") + tokens
                + " tokens, more than the model's maximum of " + maxLength + "; shorten it or set \"truncate\": true");
    }

    /**
     * Runs one padded batch. Embedding models return unit-length sentence vectors; classifiers and rerankers
     * return raw logits, one row per input.
     */
    public float[][] forward(List<Encoding> batch) {
        int rows = batch.size();
        int seq = batch.stream().mapToInt(Encoding::length).max().orElse(0);
        long[][] ids = new long[rows][seq];
        long[][] mask = new long[rows][seq];
        long[][] types = new long[rows][seq];
        for (int r = 0; r < rows; r++) {
            Encoding e = batch.get(r);
            System.arraycopy(e.ids(), 0, ids[r], 0, e.length());
            System.arraycopy(e.typeIds(), 0, types[r], 0, e.length());
            java.util.Arrays.fill(mask[r], 0, e.length(), 1L);
        }
        try (Predictor<NDList, NDList> predictor = model.newPredictor(new NoopTranslator());
             NDManager manager = model.getNDManager().newSubManager()) {
            NDList inputs = new NDList(named(manager.create(ids), "input_ids"),
                    named(manager.create(mask), "attention_mask"));
            if (feedsTypeIds) {
                inputs.add(named(manager.create(types), "token_type_ids"));
            }
            NDList outputs = predictor.predict(inputs);
            return kind == ModelKind.EMBEDDING ? pool(outputs, batch, seq) : logits(outputs, rows);
        } catch (TranslateException e) {
            throw new IllegalStateException("encoder inference failed: " + e.getMessage(), e);
        }
    }

    private float[][] pool(NDList outputs, List<Encoding> batch, int seq) {
        NDArray hidden = pick(outputs, List.of("last_hidden_state", "token_embeddings"));
        int dim = (int) hidden.getShape().get(2);
        width = dim;
        float[] flat = hidden.toFloatArray();
        float[][] out = new float[batch.size()][];
        for (int r = 0; r < out.length; r++) {
            out[r] = Pooling.normalize(pooling.pool(flat, r, seq, dim, batch.get(r).length()));
        }
        return out;
    }

    private float[][] logits(NDList outputs, int rows) {
        NDArray logits = pick(outputs, List.of("logits"));
        float[] flat = logits.toFloatArray();
        int width = flat.length / rows;
        this.width = width;
        float[][] out = new float[rows][width];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(flat, r * width, out[r], 0, width);
        }
        return out;
    }

    private static NDArray pick(NDList outputs, List<String> names) {
        for (Iterator<NDArray> it = outputs.iterator(); it.hasNext(); ) {
            NDArray a = it.next();
            if (names.contains(a.getName())) {
                return a;
            }
        }
        return outputs.get(0);
    }

    private static NDArray named(NDArray array, String name) {
        array.setName(name);
        return array;
    }

    /** Encodes a handful of dummy inputs at the largest batch and length served, so the first request is not slow. */
    public void warmUp(int batchSize) {
        long[] ids = new long[maxLength];
        List<Encoding> batch = new ArrayList<>();
        for (int i = 0; i < batchSize; i++) {
            batch.add(new Encoding(ids.clone(), new long[maxLength], false));
        }
        forward(batch);
    }

    @Override
    public void close() {
        model.close();
        strict.close();
        truncating.close();
    }
}
