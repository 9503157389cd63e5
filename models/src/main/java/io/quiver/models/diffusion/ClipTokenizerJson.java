package io.quiver.models.diffusion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.models.ModelFolder;
import io.quiver.models.ModelLoadException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code tokenizer.json} a folder with only CLIP's slow-tokenizer files ({@code vocab.json}, {@code merges.txt})
 * stands for: Stable Diffusion 1.x ships a {@code CLIPTokenizer}, and Optimum's export saves it as it is. The fast
 * tokenizer transformers converts it to: NFC, whitespace runs to one space, lower case; CLIP's split pattern, then
 * byte-level; BPE with the {@code </w>} end-of-word suffix; bos and eos around the tokens.
 */
final class ClipTokenizerJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SPLIT = "'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+";
    /** CLIPTokenizer reads at most this many merges (49152 − 256 − 2), after the version line. */
    private static final int MAX_MERGES = 49152 - 256 - 2;

    private ClipTokenizerJson() {
    }

    /** True when the folder's tokenizer is CLIP's vocab.json and merges.txt with no tokenizer.json. */
    static boolean applies(ModelFolder folder) {
        Path dir = folder.root().resolve("tokenizer");
        return !Files.exists(dir.resolve("tokenizer.json")) && Files.isRegularFile(dir.resolve("vocab.json"))
                && Files.isRegularFile(dir.resolve("merges.txt"));
    }

    /** The converted tokenizer, as a tokenizer.json document. */
    static ObjectNode convert(ModelFolder folder, String bos, String eos, String unk) {
        Path vocabFile = folder.require("tokenizer vocabulary", List.of("tokenizer/vocab.json"));
        Path mergesFile = folder.require("tokenizer merges", List.of("tokenizer/merges.txt"));
        JsonNode vocab = folder.json("tokenizer/vocab.json");
        if (!vocab.isObject()) {
            throw new ModelLoadException(vocabFile, "expected a JSON object of token → id");
        }
        ArrayNode merges = JSON.createArrayNode();
        try {
            List<String> lines = Files.readAllLines(mergesFile, StandardCharsets.UTF_8);
            // As CLIPTokenizer: the first line is the "#version" header, whatever it says.
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                if (merges.size() == MAX_MERGES) {
                    break;
                }
                if (line.isBlank()) {
                    continue;
                }
                String[] pair = line.strip().split(" ");
                if (pair.length != 2) {
                    throw new ModelLoadException(mergesFile, "a merge line is not two symbols: " + line.strip());
                }
                merges.add(pair[0] + " " + pair[1]);
            }
        } catch (IOException e) {
            throw new ModelLoadException(mergesFile, "not readable: " + e.getClass().getSimpleName());
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (String special : new String[] {bos, eos, unk}) {
            JsonNode id = vocab.path(special);
            if (!id.isNumber()) {
                throw new ModelLoadException(vocabFile, "the special token " + special + " is not in the vocabulary");
            }
            boolean seen = false;
            for (JsonNode a : added) {
                seen |= a.path("content").asText().equals(special);
            }
            if (!seen) {
                added.addObject().put("id", id.asLong()).put("content", special).put("single_word", false)
                        .put("lstrip", false).put("rstrip", false).put("normalized", true).put("special", true);
            }
        }
        ObjectNode normalizer = root.putObject("normalizer").put("type", "Sequence");
        ArrayNode norms = normalizer.putArray("normalizers");
        norms.addObject().put("type", "NFC");
        ObjectNode replace = norms.addObject().put("type", "Replace");
        replace.putObject("pattern").put("Regex", "\\s+");
        replace.put("content", " ");
        norms.addObject().put("type", "Lowercase");
        ObjectNode pre = root.putObject("pre_tokenizer").put("type", "Sequence");
        ArrayNode pres = pre.putArray("pretokenizers");
        ObjectNode split = pres.addObject().put("type", "Split");
        split.putObject("pattern").put("Regex", SPLIT);
        split.put("behavior", "Removed").put("invert", true);
        pres.addObject().put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true)
                .put("use_regex", true);
        ObjectNode post = root.putObject("post_processor").put("type", "RobertaProcessing");
        post.putArray("sep").add(eos).add(vocab.path(eos).asLong());
        post.putArray("cls").add(bos).add(vocab.path(bos).asLong());
        post.put("trim_offsets", false).put("add_prefix_space", false);
        root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", true)
                .put("use_regex", true);
        ObjectNode model = root.putObject("model").put("type", "BPE");
        model.putNull("dropout");
        model.put("unk_token", unk).put("continuing_subword_prefix", "").put("end_of_word_suffix", "</w>")
                .put("fuse_unk", false).put("byte_fallback", false);
        model.set("vocab", vocab);
        model.set("merges", merges);
        return root;
    }

    static byte[] bytes(ObjectNode tokenizerJson) {
        try {
            return JSON.writeValueAsBytes(tokenizerJson);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
