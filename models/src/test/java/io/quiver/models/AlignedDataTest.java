package io.quiver.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.gpu.Placement;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A graph cache entry's data laid out on pages: every region moved whole, every offset in the graph following it. */
class AlignedDataTest {
    @TempDir
    Path cache;
    @TempDir
    Path models;

    @AfterEach
    void off() {
        GraphCache.configure(null, GraphCache.Mode.OFF);
    }

    /** Name → {offset, length} of each initializer in external data, and "prepacked <n>" → each packing's. */
    private static Map<String, long[]> regions(Path graph) throws IOException {
        byte[] b = Files.readAllBytes(graph);
        Map<String, long[]> regions = new LinkedHashMap<>();
        Proto.fields(b, 0, b.length, (f, a, z) -> {
            if (f == 7) {
                Proto.fields(b, a, z, (g, ga, gz) -> {
                    if (g == 5) {
                        tensor(b, ga, gz, regions);
                    }
                });
            }
        });
        return regions;
    }

    private static void tensor(byte[] b, int from, int to, Map<String, long[]> regions) throws IOException {
        String[] name = {null};
        Map<String, String> external = new LinkedHashMap<>();
        Proto.fields(b, from, to, (f, a, z) -> {
            if (f == 8) {
                name[0] = new String(b, a, z - a, StandardCharsets.UTF_8);
            } else if (f == 13) {
                List<String> kv = new ArrayList<>();
                Proto.fields(b, a, z, (g, ga, gz) -> kv.add(new String(b, ga, gz - ga, StandardCharsets.UTF_8)));
                external.put(kv.get(0), kv.get(1));
            }
        });
        if (external.containsKey("length")) {
            regions.put(name[0], new long[] {Long.parseLong(external.getOrDefault("offset", "0")),
                Long.parseLong(external.get("length"))});
        }
        external.forEach((key, value) -> {
            if (key.startsWith("prepacked_")) {
                String[] span = value.split("\\|")[1].split(";");
                regions.put(name[0] + " " + key, new long[] {Long.parseLong(span[0]), Long.parseLong(span[1])});
            }
        });
    }

    private static byte[] read(Path file, long[] region) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            byte[] bytes = new byte[(int) region[1]];
            f.seek(region[0]);
            f.readFully(bytes);
            return bytes;
        }
    }

    @Test
    void everyRegionOfAnEntryStartsOnAPageAndHoldsTheBytesItHeldBefore() throws Exception {
        Path folder = Fixtures.model("tiny-random-deepseek-r1-genai");
        for (String file : List.of("model.onnx", "model.onnx.data")) {
            Files.copy(folder.resolve(file), models.resolve(file));
        }
        GraphCache.configure(cache, GraphCache.Mode.AUTO);
        OnnxLoader.openSession(models.resolve("model.onnx"), Placement.CPU, false).close();
        Path entry;
        try (Stream<Path> list = Files.list(cache)) {
            entry = list.findFirst().orElseThrow();
        }
        Path graph = entry.resolve(GraphCache.GRAPH);
        Path data = entry.resolve(GraphCache.GRAPH + ".data");
        Map<String, long[]> aligned = regions(graph);
        assertTrue(aligned.keySet().stream().anyMatch(k -> k.contains(" prepacked_")), "packings: " + aligned.keySet());
        aligned.forEach((name, region) -> assertEquals(0, region[0] % AlignedData.PAGE, name + " at " + region[0]));

        // The source's initializers that the optimiser kept as they were: the same bytes at their new places.
        Map<String, long[]> source = regions(models.resolve("model.onnx"));
        int compared = 0;
        for (Map.Entry<String, long[]> e : source.entrySet()) {
            long[] moved = aligned.get(e.getKey());
            if (moved != null && moved[1] == e.getValue()[1]) {
                assertArrayEquals(read(models.resolve("model.onnx.data"), e.getValue()), read(data, moved), e.getKey());
                compared++;
            }
        }
        assertTrue(compared > 10, "compared " + compared + " initializers");
    }

    @Test
    void aGraphNamingAnotherDataFileOrARegionPastItsEndIsRefused() throws Exception {
        Path folder = Fixtures.model("tiny-random-deepseek-r1-genai");
        Path graph = models.resolve("model.onnx");
        Files.copy(folder.resolve("model.onnx"), graph);
        Path other = models.resolve("other.data");
        Files.write(other, new byte[16]);
        IOException wrongFile = assertThrows(IOException.class, () -> AlignedData.align(graph, other));
        assertTrue(wrongFile.getMessage().contains("not other.data"), wrongFile.getMessage());

        Path data = models.resolve("model.onnx.data");
        Files.write(data, new byte[16]);
        IOException shortFile = assertThrows(IOException.class, () -> AlignedData.align(graph, data));
        assertTrue(shortFile.getMessage().contains("outside model.onnx.data"), shortFile.getMessage());
        assertFalse(Files.exists(models.resolve("model.onnx.aligned")));
    }
}
