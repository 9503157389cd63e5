package io.quiver.bench.startup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class PeerCommandTest {

    @Test
    void oneValueIsTheWholeLineSplitOnWhitespace() {
        PeerCommand c = PeerCommand.parse(List.of("  /opt/llama.cpp/build/bin/llama-server -m /m/r1.Q4_1.gguf\t--port "
                + "{port}  -t 2 -c 2048 --no-repack "), 18090);
        assertEquals(List.of("/opt/llama.cpp/build/bin/llama-server", "-m", "/m/r1.Q4_1.gguf", "--port", "18090",
                "-t", "2", "-c", "2048", "--no-repack"), c.argv());
        assertEquals("llama-server", c.server());
    }

    @Test
    void repeatedValuesAreArgumentsVerbatim() {
        PeerCommand c = PeerCommand.parse(List.of("llama-server", "-m", "/models/with space/r1.gguf",
                "--host=127.0.0.1:{port}"), 9000);
        assertEquals(List.of("llama-server", "-m", "/models/with space/r1.gguf", "--host=127.0.0.1:9000"), c.argv());
        assertEquals("llama-server", c.server());
    }

    @Test
    void anEmptyCommandIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> PeerCommand.parse(List.of("   "), 1));
        assertThrows(IllegalArgumentException.class, () -> new PeerCommand(List.of()));
    }
}
