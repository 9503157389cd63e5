package io.quiver.bench.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes the GGUF llama.cpp loads for a Qwen2 model folder (config.json, tokenizer.json, model.safetensors with
 * Hugging Face names), as llama.cpp's convert_hf_to_gguf.py would for {@code Qwen2ForCausalLM} in float32: the
 * {@code qwen2.*} hyper-parameters, the byte-level BPE vocabulary ({@code gpt2} model, DeepSeek-V3 pre-tokenizer),
 * and the tensors renamed (no permutation: Qwen2 uses NeoX rotary, as in the checkpoint). Tied embeddings: no
 * {@code output.weight}, llama.cpp then reuses {@code token_embd}.
 */
public final class Qwen2Gguf {
    private static final Pattern LAYER = Pattern.compile("model\\.layers\\.(\\d+)\\.(.+)");
    private static final Map<String, String> PER_LAYER = Map.ofEntries(
            Map.entry("input_layernorm.weight", "attn_norm.weight"),
            Map.entry("self_attn.q_proj.weight", "attn_q.weight"), Map.entry("self_attn.q_proj.bias", "attn_q.bias"),
            Map.entry("self_attn.k_proj.weight", "attn_k.weight"), Map.entry("self_attn.k_proj.bias", "attn_k.bias"),
            Map.entry("self_attn.v_proj.weight", "attn_v.weight"), Map.entry("self_attn.v_proj.bias", "attn_v.bias"),
            Map.entry("self_attn.o_proj.weight", "attn_output.weight"),
            Map.entry("post_attention_layernorm.weight", "ffn_norm.weight"),
            Map.entry("mlp.gate_proj.weight", "ffn_gate.weight"), Map.entry("mlp.up_proj.weight", "ffn_up.weight"),
            Map.entry("mlp.down_proj.weight", "ffn_down.weight"));
    /** llama.cpp's token types. */
    static final int NORMAL = 1;
    static final int CONTROL = 3;
    static final int USER_DEFINED = 4;
    static final int UNUSED = 5;

    private Qwen2Gguf() {
    }

    /** GGUF tensor name for a Hugging Face one. */
    public static String ggufName(String hf) {
        switch (hf) {
            case "model.embed_tokens.weight":
                return "token_embd.weight";
            case "model.norm.weight":
                return "output_norm.weight";
            case "lm_head.weight":
                return "output.weight";
            default:
                Matcher m = LAYER.matcher(hf);
                String suffix = m.matches() ? PER_LAYER.get(m.group(2)) : null;
                if (suffix == null) {
                    throw new IllegalArgumentException("no GGUF name for tensor " + hf);
                }
                return "blk." + m.group(1) + "." + suffix;
        }
    }

    public static void write(Path folder, Path gguf, String name) throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode config = json.readTree(folder.resolve("config.json").toFile());
        JsonNode tokenizer = json.readTree(folder.resolve("tokenizer.json").toFile());
        int vocab = config.path("vocab_size").asInt();
        GgufWriter w = new GgufWriter()
                .string("general.architecture", "qwen2")
                .string("general.name", name)
                .uint32("general.file_type", 0)
                .uint32("general.alignment", GgufWriter.ALIGNMENT)
                .uint32("qwen2.block_count", config.path("num_hidden_layers").asInt())
                .uint32("qwen2.context_length", config.path("max_position_embeddings").asInt())
                .uint32("qwen2.embedding_length", config.path("hidden_size").asInt())
                .uint32("qwen2.feed_forward_length", config.path("intermediate_size").asInt())
                .uint32("qwen2.attention.head_count", config.path("num_attention_heads").asInt())
                .uint32("qwen2.attention.head_count_kv", config.path("num_key_value_heads").asInt())
                .float32("qwen2.rope.freq_base", config.path("rope_theta").asDouble())
                .float32("qwen2.attention.layer_norm_rms_epsilon", config.path("rms_norm_eps").asDouble());
        vocabulary(w, tokenizer, vocab, config);
        try (Safetensors weights = Safetensors.open(folder.resolve("model.safetensors"))) {
            for (var e : weights.entries().entrySet()) {
                if (!e.getValue().dtype().equals("F32")) {
                    throw new IOException(e.getKey() + ": only F32 checkpoints are converted, not " + e.getValue().dtype());
                }
                long[] dims = e.getValue().shape().clone();
                reverse(dims);
                w.tensor(ggufName(e.getKey()), dims, weights.data(e.getKey()));
            }
            w.write(gguf);
        }
    }

    /** tokens by id, their types, and the merges: what llama.cpp's {@code gpt2} tokenizer reads. */
    static void vocabulary(GgufWriter w, JsonNode tokenizer, int vocab, JsonNode config) {
        String[] tokens = new String[vocab];
        int[] types = new int[vocab];
        tokenizer.path("model").path("vocab").properties().forEach(e -> {
            int id = e.getValue().asInt();
            if (id < vocab) {
                tokens[id] = e.getKey();
                types[id] = NORMAL;
            }
        });
        for (JsonNode added : tokenizer.path("added_tokens")) {
            int id = added.path("id").asInt();
            if (id < vocab) {
                tokens[id] = added.path("content").asText();
                types[id] = added.path("special").asBoolean() ? CONTROL : USER_DEFINED;
            }
        }
        for (int i = 0; i < vocab; i++) {
            if (tokens[i] == null) {
                tokens[i] = "[PAD" + i + "]";
                types[i] = UNUSED;
            }
        }
        List<String> merges = new ArrayList<>();
        for (JsonNode m : tokenizer.path("model").path("merges")) {
            merges.add(m.isArray() ? m.get(0).asText() + " " + m.get(1).asText() : m.asText());
        }
        w.string("tokenizer.ggml.model", "gpt2")
                .string("tokenizer.ggml.pre", "deepseek-v3")
                .strings("tokenizer.ggml.tokens", Arrays.asList(tokens))
                .int32s("tokenizer.ggml.token_type", types)
                .strings("tokenizer.ggml.merges", merges)
                .uint32("tokenizer.ggml.bos_token_id", config.path("bos_token_id").asInt())
                .uint32("tokenizer.ggml.eos_token_id", config.path("eos_token_id").asInt())
                .bool("tokenizer.ggml.add_bos_token", true)
                .bool("tokenizer.ggml.add_eos_token", false);
    }

    private static void reverse(long[] a) {
        for (int i = 0, j = a.length - 1; i < j; i++, j--) {
            long t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
