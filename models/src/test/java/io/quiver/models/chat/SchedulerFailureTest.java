package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Whatever throws inside the scheduler, every sequence it has taken ends exactly once and frees its slot. */
class SchedulerFailureTest {
    @Test
    void aSequenceWhoseKvRegatherRunsOutOfDirectMemoryStillEnds() throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:MaxDirectMemorySize=32k", "-Xss16m", "--enable-native-access=ALL-UNNAMED", "-cp", classpath,
                StarvedScheduler.class.getName())).redirectErrorStream(true).start();
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child JVM hung");
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.println(output);
        assertTrue(output.contains("OutOfMemoryError"), "the re-gather should have run out of direct memory:\n"
                + output);
        assertEquals(0, child.exitValue(), output);
    }
}
