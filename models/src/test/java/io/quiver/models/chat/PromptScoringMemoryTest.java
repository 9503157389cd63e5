package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Echo with logprobs holds one prefill chunk's logits at a time, never the whole prompt's: a prompt whose logits
 * are twice the heap is scored in a 128 MB JVM, on the cache written in place and on the growing one.
 */
class PromptScoringMemoryTest {
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aPromptWhoseLogitsOutgrowTheHeapIsScoredChunkByChunk(boolean inPlace) throws Exception {
        Path folder = inPlace ? GenaiExportTest.folder() : ChatFixture.folder();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-Xss16m", "--enable-native-access=ALL-UNNAMED", "-cp", classpath,
                PromptScoringInSmallHeap.class.getName(), folder.toString())).redirectErrorStream(true).start();
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child JVM hung");
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.println(output);
        assertTrue(output.contains((PromptScoringInSmallHeap.PROMPT - 1) + " positions scored"), output);
        assertEquals(0, child.exitValue(), output);
    }
}
