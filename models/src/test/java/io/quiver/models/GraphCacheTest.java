package io.quiver.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.quiver.gpu.Placement;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The optimised-graph cache: written once, read with optimisation off, missed when the model or runtime changes. */
class GraphCacheTest {
    @TempDir
    Path cache;
    @TempDir
    Path models;

    @AfterEach
    void off() {
        GraphCache.configure(null, GraphCache.Mode.OFF);
    }

    /** A private copy of the tiny chat graph and its external data, so a test may change them. */
    private Path graph() throws IOException {
        Path onnx = Fixtures.model("tiny-random-deepseek-r1").resolve("onnx");
        for (String file : List.of("model.onnx", "model.onnx_data")) {
            Files.copy(onnx.resolve(file), models.resolve(file));
        }
        return models.resolve("model.onnx");
    }

    private List<Path> entries() throws IOException {
        try (Stream<Path> list = Files.list(cache)) {
            return list.sorted().toList();
        }
    }

    @Test
    void theFirstOpenWritesTheOptimisedGraphAndTheSecondLoadsItWithTheSameLogits() throws Exception {
        Path onnx = graph();
        GraphCache.configure(cache, GraphCache.Mode.READ_WRITE);
        float[] fresh;
        try (OrtSession session = OnnxLoader.openSession(onnx, Placement.CPU, false)) {
            fresh = logits(session);
        }
        List<Path> written = entries();
        assertEquals(1, written.size(), "one entry, no staging left behind: " + written);
        assertTrue(Files.isRegularFile(written.getFirst().resolve(GraphCache.GRAPH)));

        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            assertEquals(written.getFirst().resolve(GraphCache.GRAPH),
                    GraphCache.prepare(onnx, "cpu", false, options).graph(), "the second open reads the cached graph");
        }
        try (OrtSession session = OnnxLoader.openSession(onnx, Placement.CPU, false)) {
            assertArrayEquals(fresh, logits(session), 1e-5f);
        }
        assertEquals(written, entries());
    }

    @Test
    void aFourBitGraphsEntryHoldsItsPrePackedWeightsAndGivesTheSameLogits() throws Exception {
        Path onnx = models.resolve("model_q4.onnx");
        Files.copy(Fixtures.testModel("tiny-random-deepseek-r1-variants").resolve("onnx/model_q4.onnx"), onnx);
        GraphCache.configure(cache, GraphCache.Mode.READ_WRITE);
        float[] fresh;
        try (OrtSession session = OnnxLoader.openSession(onnx, Placement.CPU, false)) {
            fresh = logits(session);
        }
        // ONNX Runtime names each weight's packed copy in its external-data entry: "prepacked_<n>" → kernel|offset.
        String graph = new String(Files.readAllBytes(entries().getFirst().resolve(GraphCache.GRAPH)),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(graph.contains("prepacked_0") && graph.contains("MatMulNBits+"),
                "the entry keeps MatMulNBits' packed weights, so the next open does not pack them again");
        try (OrtSession session = OnnxLoader.openSession(onnx, Placement.CPU, false)) {
            assertArrayEquals(fresh, logits(session), 1e-5f);
        }
    }

    @Test
    void theModelBuildersGraphWithInt8ActivationsAnswersTheSameFromItsEntry() throws Exception {
        // MatMulNBits with int8 activations (accuracy_level 4, the builder's CPU default) finds the parts of its
        // packed weights by aligning addresses: mapped from where ONNX Runtime 1.29 writes them, back to back,
        // they read wrong and the logits were NaN. The entry keeps them, laid out on pages (AlignedData).
        Path folder = io.quiver.models.chat.GenaiFixture.copyTo(models);
        GraphCache.configure(cache, GraphCache.Mode.AUTO);
        int[] fresh = io.quiver.models.chat.GenaiFixture.greedy(folder, 8);
        assertEquals(1, entries().size(), "the 4-bit graph was cached");
        String graph = new String(Files.readAllBytes(entries().getFirst().resolve(GraphCache.GRAPH)),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(graph.contains("prepacked_0") && graph.contains("MatMulNBits+"), "the entry keeps the packings");
        assertArrayEquals(fresh, io.quiver.models.chat.GenaiFixture.greedy(folder, 8), "the same ids from the entry");
        assertArrayEquals(io.quiver.models.chat.GenaiFixture.goldenIds(8), fresh, "onnxruntime-genai's ids");
    }

    @Test
    void autoCachesFourBitGraphsOnly() throws Exception {
        Path fp32 = graph();
        Path q4 = models.resolve("model_q4.onnx");
        Files.copy(Fixtures.testModel("tiny-random-deepseek-r1-variants").resolve("onnx/model_q4.onnx"), q4);
        GraphCache.configure(cache, GraphCache.Mode.AUTO);
        OnnxLoader.openSession(fp32, Placement.CPU, false).close();
        assertTrue(entries().isEmpty(), "a float graph is opened as it is: " + entries());
        OnnxLoader.openSession(q4, Placement.CPU, false).close();
        assertEquals(1, entries().size(), "the 4-bit graph's entry: " + entries());
        assertTrue(entries().getFirst().getFileName().toString().startsWith("model_q4-"));
        assertEquals(GraphCache.Mode.AUTO, GraphCache.parse("auto"));
    }

    @Test
    void aChangedModelRuntimeOrDeviceMissesTheEntry() throws Exception {
        Path onnx = graph();
        String key = GraphCache.key(onnx, "cpu", false, "1.29.0");
        assertEquals(key, GraphCache.key(onnx, "cpu", false, "1.29.0"));
        assertNotEquals(key, GraphCache.key(onnx, "cpu", false, "1.30.0"), "another ONNX Runtime");
        assertNotEquals(key, GraphCache.key(onnx, "cuda:0", false, "1.29.0"), "another device");
        assertNotEquals(key, GraphCache.key(onnx, "cpu", true, "1.29.0"), "other session options");
        Files.setLastModifiedTime(onnx, FileTime.fromMillis(Files.getLastModifiedTime(onnx).toMillis() + 5_000));
        assertNotEquals(key, GraphCache.key(onnx, "cpu", false, "1.29.0"), "a rewritten graph");
        String touched = GraphCache.key(onnx, "cpu", false, "1.29.0");
        Files.write(models.resolve("model.onnx_data"), new byte[] {1, 2, 3}, StandardOpenOption.APPEND);
        assertNotEquals(touched, GraphCache.key(onnx, "cpu", false, "1.29.0"), "its external data changed");
    }

    @Test
    void aNewEntryForAChangedGraphReplacesTheOldOne() throws Exception {
        Path onnx = graph();
        GraphCache.configure(cache, GraphCache.Mode.READ_WRITE);
        OnnxLoader.openSession(onnx, Placement.CPU, false).close();
        List<Path> before = entries();
        Files.setLastModifiedTime(onnx, FileTime.fromMillis(Files.getLastModifiedTime(onnx).toMillis() + 5_000));
        OnnxLoader.openSession(onnx, Placement.CPU, false).close();
        List<Path> after = entries();
        assertEquals(1, after.size(), "the older version's entry is gone: " + after);
        assertNotEquals(before, after, "the entry is the new version's");
        OnnxLoader.openSession(onnx, Placement.CPU, true).close();
        assertEquals(2, entries().size(), "an entry for other session options is no older version: " + entries());
    }

    @Test
    void anEntryTheRuntimeRefusesIsDiscardedAndTheGraphStillOpens() throws Exception {
        Path onnx = graph();
        GraphCache.configure(cache, GraphCache.Mode.READ_WRITE);
        OnnxLoader.openSession(onnx, Placement.CPU, false).close();
        Path entry = entries().getFirst();
        Files.write(entry.resolve(GraphCache.GRAPH), new byte[] {0, 1, 2, 3});
        // Listed again, so that it is ONNX Runtime that refuses it, as it would an entry of a newer format.
        EntryManifest.seal(entry);
        try (OrtSession session = OnnxLoader.openSession(onnx, Placement.CPU, false)) {
            assertTrue(logits(session).length > 0);
        }
        assertTrue(entries().isEmpty(), "the refused entry is gone, so the next start writes it again");
    }

    /** Zeros over the entry's weights, as a later write leaves them (two writes within one clock tick share a time). */
    private static void zero(Path file) throws IOException {
        FileTime written = Files.getLastModifiedTime(file);
        Files.write(file, new byte[(int) Files.size(file)]);
        Files.setLastModifiedTime(file, FileTime.fromMillis(written.toMillis() + 2_000));
    }

    @Test
    void zeroedWeightsInAnEntryAreNotUsedTheEntryIsWrittenAgain() throws Exception {
        Path onnx = graph();
        GraphCache.configure(cache, GraphCache.Mode.READ_WRITE);
        float[] fresh;
        try (OrtSession session = OnnxLoader.openSession(onnx, Placement.CPU, false)) {
            fresh = logits(session);
        }
        Path data = entries().getFirst().resolve(GraphCache.GRAPH + ".data");
        zero(data);
        try (OrtSession session = OnnxLoader.openSession(onnx, Placement.CPU, false)) {
            assertArrayEquals(fresh, logits(session), 1e-5f, "the model's own weights, not the zeros");
        }
        assertEquals(1, entries().size());
        assertNotEquals(0, anyBits(data), "the entry was written again");
    }

    private static int anyBits(Path file) throws IOException {
        int bits = 0;
        for (byte b : Files.readAllBytes(file)) {
            bits |= b;
        }
        return bits;
    }

    @Test
    void anEntryAnotherUserOwnsOrALinkInItIsNotRead() throws Exception {
        Path onnx = graph();
        GraphCache.configure(cache, GraphCache.Mode.READ_WRITE);
        OnnxLoader.openSession(onnx, Placement.CPU, false).close();
        Path entry = entries().getFirst();
        GraphCache.configure(cache, GraphCache.Mode.READ_ONLY);
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            assertEquals(entry.resolve(GraphCache.GRAPH), GraphCache.prepare(onnx, "cpu", false, options).graph());
        }

        Files.setAttribute(entry.resolve(GraphCache.GRAPH + ".data"), "unix:uid", CacheFolderTest.STRANGER);
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            assertEquals(onnx, GraphCache.prepare(onnx, "cpu", false, options).graph(), "another user's weights");
        }
        Files.setAttribute(entry.resolve(GraphCache.GRAPH + ".data"), "unix:uid", 0);

        // The same bytes, size and time, through a link to a file outside the cache.
        Path outside = models.resolve("planted.data");
        Path data = entry.resolve(GraphCache.GRAPH + ".data");
        Files.copy(data, outside, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        Files.delete(data);
        Files.createSymbolicLink(data, outside);
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            assertEquals(onnx, GraphCache.prepare(onnx, "cpu", false, options).graph(), "a link is not followed");
        }
        assertTrue(Files.isSymbolicLink(data), "read-only: refused, left as it is");
    }

    @Test
    void aGraphCacheOthersCanWriteIsNeitherReadNorWritten() throws Exception {
        Path onnx = graph();
        GraphCache.configure(cache, GraphCache.Mode.READ_WRITE);
        OnnxLoader.openSession(onnx, Placement.CPU, false).close();
        List<Path> written = entries();
        Files.setPosixFilePermissions(cache, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            GraphCache.Opening opening = GraphCache.prepare(onnx, "cpu", false, options);
            assertEquals(onnx, opening.graph());
            assertFalse(opening.viaCache(), "nothing read from it, nothing staged in it");
        }
        assertEquals(written, entries());
    }

    @Test
    void readOnlyAndOffWriteNothing() throws Exception {
        Path onnx = graph();
        for (GraphCache.Mode mode : List.of(GraphCache.Mode.READ_ONLY, GraphCache.Mode.OFF)) {
            GraphCache.configure(cache, mode);
            OnnxLoader.openSession(onnx, Placement.CPU, false).close();
            assertTrue(entries().isEmpty(), mode + " wrote " + entries());
        }
        assertEquals(GraphCache.Mode.READ_ONLY, GraphCache.parse("read-only"));
    }

    /** The first step's logits for three tokens on an empty past. */
    private static float[] logits(OrtSession session) throws OrtException {
        OrtEnvironment env = OnnxLoader.environment();
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            for (Map.Entry<String, NodeInfo> input : session.getInputInfo().entrySet()) {
                String name = input.getKey();
                if (name.startsWith("past_key_values")) {
                    long[] shape = ((TensorInfo) input.getValue().getInfo()).getShape();
                    feed.put(name, OnnxTensor.createTensor(env, FloatBuffer.allocate(0),
                            new long[] {1, shape[1], 0, shape[3]}));
                } else {
                    long[] values = name.equals("position_ids") ? new long[] {0, 1, 2} : name.equals("input_ids")
                            ? new long[] {5, 17, 42} : new long[] {1, 1, 1};
                    feed.put(name, OnnxTensor.createTensor(env, LongBuffer.wrap(values), new long[] {1, 3}));
                }
            }
            try (OrtSession.Result result = session.run(feed, java.util.Set.of("logits"))) {
                FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
                float[] copy = new float[out.remaining()];
                out.get(copy);
                return copy;
            }
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }
}
