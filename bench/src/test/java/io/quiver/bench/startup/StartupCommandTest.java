package io.quiver.bench.startup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class StartupCommandTest {

    @Test
    void graphCacheStateFromTheServersOwnSettings() {
        assertEquals("read-write", StartupCommand.graphCache(List.of(), Map.of(), false));
        assertEquals("filled", StartupCommand.graphCache(List.of("-Dquiver.cache-dir=/c"), Map.of(), true));
        assertEquals("off", StartupCommand.graphCache(List.of("-Dquiver.graph-cache=off"), Map.of(), true));
        // The last -D wins, and it overrides the environment, as Quarkus reads them.
        assertEquals("read-only", StartupCommand.graphCache(List.of("-Dquiver.graph-cache=off",
                "-Dquiver.graph-cache=read-only"), Map.of("QUIVER_GRAPH_CACHE", "off"), true));
        assertEquals("off", StartupCommand.graphCache(List.of(), Map.of("QUIVER_GRAPH_CACHE", "off"), false));
    }

    @Test
    void aPeerIsDescribedOnTheCommandLine() {
        StartupCommand c = CommandLine.populateCommand(new StartupCommand(), "--runs", "3", "--command",
                "llama-server -m r1.F16.gguf --port {port}", "--port", "18111", "--route", "chat", "--model", "r1",
                "--max-tokens", "1", "--precision", "F16", "--label", "llama-server r1 F16");
        assertEquals(List.of("llama-server", "-m", "r1.F16.gguf", "--port", "18111"),
                PeerCommand.parse(c.command, c.port).argv());
        assertEquals(1, c.maxTokens);
        assertEquals("F16", c.precision);
        assertEquals(null, c.readyPath); // /health for a peer, /q/health/ready for Quiver
        assertEquals(3, c.runs);
    }

    @Test
    void aColdStartEmptiesThePageCacheAndCountsTheModelsMappedPages() {
        StartupCommand c = CommandLine.populateCommand(new StartupCommand(), "--drop-caches", "--mapped-under",
                "/models/r1", "--mapped-under", "/cache");
        assertEquals(true, c.dropCaches);
        assertEquals(List.of(java.nio.file.Path.of("/models/r1"), java.nio.file.Path.of("/cache")), c.mappedUnder);
        assertEquals(false, CommandLine.populateCommand(new StartupCommand()).dropCaches);
    }
}
