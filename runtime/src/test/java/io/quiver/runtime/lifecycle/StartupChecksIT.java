package io.quiver.runtime.lifecycle;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Settings that would silently weaken the pod fail its start instead, with one line. */
class StartupChecksIT {
    @Test
    void aModelNameOfSeveralWordsIsServedFromTheEnvironment() throws Exception {
        try (ServerProcess server = ServerProcess.start(Map.of("QUIVER_MODELS_MY_EMBED_PATH",
                "embedded:all-minilm-l6-v2"))) {
            server.awaitReady(ProcessIT.START);
            String models = server.http.send(java.net.http.HttpRequest.newBuilder(server.uri("/v1/models"))
                    .version(java.net.http.HttpClient.Version.HTTP_1_1).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(models.contains("\"my-embed\"") && !models.contains("tiny-random-sd"), models);
            assertTrue(server.output().contains("model my-embed settings: path embedded:all-minilm-l6-v2, kind "
                    + "embedding, graph default, context length from the model, max batch 32"), server.output());
        }
    }

    @Test
    void aMistypedSettingStopsStartupNamingTheRightOne() throws Exception {
        try (ServerProcess server = ServerProcess.start(Map.of("QUIVER_CONCURENCY_MAX", "2"))) {
            ProcessIT.assertFailsWithOneLine(server, "QUIVER_CONCURENCY_MAX", "QUIVER_CONCURRENCY_MAX");
        }
    }

    @Test
    void anUnknownSystemPropertyStopsStartupWithOneLine() throws Exception {
        try (ServerProcess server = ServerProcess.start("quiver.concurrency.maximum=2")) {
            ProcessIT.assertFailsWithOneLine(server, "quiver.concurrency.maximum");
        }
    }

    @Test
    void valuesOutOfRangeStopStartupNamingTheAllowedOnes() throws Exception {
        try (ServerProcess server = ServerProcess.start(Map.of("QUIVER_CONCURRENCY_REJECT_STATUS", "500"))) {
            ProcessIT.assertFailsWithOneLine(server, "QUIVER_CONCURRENCY_REJECT_STATUS", "503 or 429");
        }
        try (ServerProcess server = ServerProcess.start(Map.of("QUIVER_CONCURRENCY_MAX", "0"))) {
            ProcessIT.assertFailsWithOneLine(server, "QUIVER_CONCURRENCY_MAX", "at least 1");
        }
    }

    @Test
    void anEmptyApiKeyStopsStartupInsteadOfTurningAuthenticationOff() throws Exception {
        try (ServerProcess server = ServerProcess.start(Map.of("QUIVER_API_KEY", ""),
                "quiver.models.m.path=embedded:all-minilm-l6-v2")) {
            ProcessIT.assertFailsWithOneLine(server, "QUIVER_API_KEY", "empty");
        }
    }

    @Test
    void aCacheFolderOthersCanWriteOrAnotherUserOwnsStopsStartupWithOneLine() throws Exception {
        Path shared = Files.createTempDirectory("quiver-shared-cache");
        try {
            Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
            try (ServerProcess server = ServerProcess.start(Map.of("QUIVER_CACHE_DIR", shared.toString()))) {
                ProcessIT.assertFailsWithOneLine(server, shared.toString(), "writable by group and others (mode 777)",
                        "quiver.cache-dir");
            }
            try (Stream<Path> left = Files.list(shared)) {
                assertTrue(left.findAny().isEmpty(), "nothing was unpacked into it");
            }
            Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwx------"));
            Files.setAttribute(shared, "unix:uid", 4242);
            try (ServerProcess server = ServerProcess.start(Map.of("QUIVER_CACHE_DIR", shared.toString()))) {
                ProcessIT.assertFailsWithOneLine(server, shared.toString(), "owned by uid 4242");
            }
        } finally {
            Files.delete(shared);
        }
    }

    @Test
    void theStartLogSaysWhetherAKeyIsRequired() throws Exception {
        try (ServerProcess server = ServerProcess.start(Map.of("QUIVER_API_KEY", "k"),
                "quiver.models.m.path=embedded:all-minilm-l6-v2")) {
            server.awaitReady(ProcessIT.START);
            assertTrue(server.output().contains("API key required on inference routes"), server.output());
        }
    }
}
