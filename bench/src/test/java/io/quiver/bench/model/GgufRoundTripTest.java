package io.quiver.bench.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufRoundTripTest {
    @TempDir
    Path dir;

    private static ByteBuffer floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.flip();
    }

    @Test
    void headerMetadataAndAlignedTensorDataReadBack() throws Exception {
        Path file = dir.resolve("t.gguf");
        new GgufWriter().string("general.architecture", "qwen2").uint32("qwen2.block_count", 24)
                .float32("qwen2.rope.freq_base", 1_000_000.0).bool("tokenizer.ggml.add_bos_token", true)
                .strings("tokenizer.ggml.tokens", List.of("a", "Ġb", "<｜end▁of▁sentence｜>"))
                .int32s("tokenizer.ggml.token_type", new int[] {1, 1, 3})
                .tensor("token_embd.weight", new long[] {2, 3}, floats(1, 2, 3, 4, 5, 6))
                .tensor("output_norm.weight", new long[] {3}, floats(7, 8, 9))
                .write(file);

        GgufHeader h = GgufHeader.read(file);
        assertEquals(3, h.version());
        assertEquals("qwen2", h.metadata().get("general.architecture"));
        assertEquals(24L, h.metadata().get("qwen2.block_count"));
        assertEquals(1_000_000.0, (Double) h.metadata().get("qwen2.rope.freq_base"), 0.5);
        assertEquals(true, h.metadata().get("tokenizer.ggml.add_bos_token"));
        assertEquals(List.of("a", "Ġb", "<｜end▁of▁sentence｜>"), h.metadata().get("tokenizer.ggml.tokens"));
        assertEquals(List.of(1L, 1L, 3L), h.metadata().get("tokenizer.ggml.token_type"));
        assertEquals(2, h.tensors().size());
        assertArrayEquals(new long[] {2, 3}, h.tensors().get(0).dims());
        assertEquals(0, h.tensors().get(0).offset());
        assertEquals(32, h.tensors().get(1).offset()); // 24 bytes padded to 32
        assertEquals(0, h.dataOffset() % 32);

        try (FileChannel in = FileChannel.open(file)) {
            ByteBuffer second = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            in.read(second, h.dataOffset() + h.tensors().get(1).offset());
            second.flip();
            assertEquals(7f, second.getFloat());
            assertEquals(8f, second.getFloat());
            assertEquals(9f, second.getFloat());
            assertEquals(h.dataOffset() + 64, in.size());
        }
    }

    @Test
    void tensorSizeMustMatchItsDimensions() {
        assertThrows(IllegalArgumentException.class,
                () -> new GgufWriter().tensor("x", new long[] {2, 2}, floats(1, 2, 3)));
    }

    @Test
    void huggingFaceNamesMapToLlamaCppNames() {
        assertEquals("token_embd.weight", Qwen2Gguf.ggufName("model.embed_tokens.weight"));
        assertEquals("blk.23.attn_q.bias", Qwen2Gguf.ggufName("model.layers.23.self_attn.q_proj.bias"));
        assertEquals("blk.0.ffn_down.weight", Qwen2Gguf.ggufName("model.layers.0.mlp.down_proj.weight"));
        assertEquals("blk.1.ffn_norm.weight", Qwen2Gguf.ggufName("model.layers.1.post_attention_layernorm.weight"));
        assertEquals("output_norm.weight", Qwen2Gguf.ggufName("model.norm.weight"));
        assertThrows(IllegalArgumentException.class, () -> Qwen2Gguf.ggufName("model.layers.0.rotary.inv_freq"));
    }

    @Test
    void qwen2FolderConvertsWithVocabularyAndReversedDimensions() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("m"));
        Files.writeString(folder.resolve("config.json"), """
                {"vocab_size": 5, "hidden_size": 2, "intermediate_size": 4, "num_hidden_layers": 1,
                 "num_attention_heads": 1, "num_key_value_heads": 1, "max_position_embeddings": 64,
                 "rope_theta": 10000.0, "rms_norm_eps": 1e-6, "bos_token_id": 0, "eos_token_id": 1}""");
        Files.writeString(folder.resolve("tokenizer.json"), """
                {"model": {"type": "BPE", "vocab": {"a": 2, "b": 3, "ab": 4}, "merges": ["a b"]},
                 "added_tokens": [{"id": 0, "content": "<s>", "special": true},
                                  {"id": 1, "content": "</s>", "special": true}]}""");
        writeSafetensors(folder.resolve("model.safetensors"), Map.of(
                "model.embed_tokens.weight", new long[] {5, 2}, "model.norm.weight", new long[] {2}));

        Path gguf = dir.resolve("m.gguf");
        Qwen2Gguf.write(folder, gguf, "m");
        GgufHeader h = GgufHeader.read(gguf);
        assertEquals(List.of("<s>", "</s>", "a", "b", "ab"), h.metadata().get("tokenizer.ggml.tokens"));
        assertEquals(List.of(3L, 3L, 1L, 1L, 1L), h.metadata().get("tokenizer.ggml.token_type"));
        assertEquals(List.of("a b"), h.metadata().get("tokenizer.ggml.merges"));
        assertEquals("deepseek-v3", h.metadata().get("tokenizer.ggml.pre"));
        assertEquals(64L, h.metadata().get("qwen2.context_length"));
        GgufHeader.TensorInfo embd = h.tensors().stream().filter(t -> t.name().equals("token_embd.weight"))
                .findFirst().orElseThrow();
        assertArrayEquals(new long[] {2, 5}, embd.dims());
        assertTrue(h.tensors().stream().anyMatch(t -> t.name().equals("output_norm.weight")));
    }

    /** A tiny safetensors file of zeros, written by hand. */
    private static void writeSafetensors(Path file, Map<String, long[]> shapes) throws Exception {
        var header = new java.util.LinkedHashMap<String, Object>();
        long offset = 0;
        for (var e : shapes.entrySet()) {
            long n = 1;
            for (long d : e.getValue()) {
                n *= d;
            }
            header.put(e.getKey(), Map.of("dtype", "F32", "shape", e.getValue(), "data_offsets",
                    List.of(offset, offset + n * 4)));
            offset += n * 4;
        }
        byte[] json = new ObjectMapper().writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + json.length + (int) offset).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length).put(json);
        Files.write(file, out.array());
    }
}
