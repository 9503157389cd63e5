package io.quiver.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptSetTest {
    @Test
    void everyRequestGetsItsOwnPromptOfTheSetsLength() {
        PromptSet longPrompts = PromptSet.named("long", 13);
        assertEquals(longPrompts.get(5), PromptSet.named("long", 13).get(5), "the same seed and index, the same prompt");
        assertNotEquals(longPrompts.get(5), PromptSet.named("long", 14).get(5));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            String prompt = longPrompts.get(i);
            assertTrue(seen.add(prompt), "prompt " + i + " repeats an earlier one, which a prefix cache would reuse");
            int words = prompt.split("\\s+").length;
            assertTrue(words >= 940 && words <= 1380 + 10, words + " words");
            assertTrue(prompt.endsWith("what is it about?"));
        }
    }

    @Test
    void longPromptsAreOneToOneAndAHalfThousandTokensAndTheSystemPromptAThousand(@TempDir Path dir) throws Exception {
        // DeepSeek's byte-level BPE (the R1 fixture's tokenizer); SmolLM2's gives the same counts within a few tokens.
        Path json = dir.resolve("tokenizer.json");
        try (InputStream in = getClass().getResourceAsStream("/fixtures/tiny-random-deepseek-r1/tokenizer.json")) {
            Files.copy(in, json, StandardCopyOption.REPLACE_EXISTING);
        }
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(json,
                Map.of("addSpecialTokens", "false", "truncation", "false", "modelMaxLength", "4096"))) {
            PromptSet longPrompts = PromptSet.named("long", 13);
            PromptSet system = PromptSet.named("system", 17);
            for (int i = 0; i < 40; i++) {
                // The chat template adds ~10-30 tokens around a message.
                int longTokens = tokenizer.encode(longPrompts.get(i)).getIds().length;
                assertTrue(longTokens >= 1000 && longTokens <= 1470, "long prompt " + i + ": " + longTokens);
                int systemTokens = tokenizer.encode(system.get(i)).getIds().length;
                assertTrue(systemTokens >= 960 && systemTokens <= 1040, "system prompt " + i + ": " + systemTokens);
            }
        }
    }
}
