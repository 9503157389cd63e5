package io.quiver.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

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
}
