package io.quiver.bench.startup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResidencyTest {
    @TempDir
    Path dir;

    @Test
    void mappedPagesCountForTheFolderTheirFileIsIn() {
        List<String> smaps = List.of(
                "7f00-7f10 r--s 00000000 fd:01 42                         /models/r1 genai/model.onnx.data",
                "Size:               1024 kB",
                "Rss:                 512 kB",
                "7f10-7f20 rw-p 00000000 00:00 0 ",
                "Rss:                2048 kB",
                "7f20-7f30 r--p 00001000 fd:01 43                         /usr/lib/libonnxruntime.so",
                "Rss:                 300 kB",
                "7f30-7f40 r--s 00000000 fd:01 44                         /cache/graphs/model-abc/model.onnx.data",
                "Rss:                 100 kB");
        assertEquals(612, Residency.mapped(smaps, List.of(Path.of("/models/r1 genai"), Path.of("/cache"))));
        assertEquals(0, Residency.mapped(smaps, List.of(Path.of("/models/r1"))), "a folder, not a name prefix");
        assertEquals(Map.of("Rss", 900L, "Anonymous", 400L), Residency.kilobytes(List.of(
                "55d0-7ffd ---p 00000000 00:00 0                          [rollup]", "Rss:  900 kB",
                "Anonymous:   400 kB")));
    }

    @Test
    void aProcessesOwnMappedFileIsResidentUnderItsFolder() throws Exception {
        Path file = dir.resolve("weights.bin");
        Files.write(file, new byte[8 << 20]);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
            mapped.load();
            Map<String, Double> mb = Residency.of(ProcessHandle.current().pid(), List.of(dir));
            assertTrue(mb.get("rss_model_mb") >= 7.9, "the 8 MB mapped and touched: " + mb);
            assertTrue(mb.get("rss_file_mb") >= mb.get("rss_model_mb"), mb.toString());
            assertEquals(mb.get("rss_mb"), mb.get("rss_anon_mb") + mb.get("rss_file_mb"), 1e-9, mb.toString());
            assertTrue(mapped.get(0) == 0);
        }
    }
}
