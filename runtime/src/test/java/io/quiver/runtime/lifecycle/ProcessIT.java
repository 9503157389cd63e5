package io.quiver.runtime.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.models.RealModels;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up failures and SIGTERM, against the packaged application in its own process. */
class ProcessIT {
    static final Duration START = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    /** The process fails before ready with exactly one ERROR line, which names what is wrong. */
    static void assertFailsWithOneLine(ServerProcess server, String... expected) throws Exception {
        long start = System.nanoTime();
        int status = server.awaitExit(START);
        long millis = (System.nanoTime() - start) / 1_000_000;
        String output = server.output();
        assertNotEquals(0, status, output);
        var errors = output.lines().filter(l -> l.contains(" ERROR ")).toList();
        assertEquals(1, errors.size(), output);
        for (String e : expected) {
            assertTrue(errors.getFirst().contains(e), errors.getFirst());
        }
        System.out.printf("failed in %d ms after launch: %s%n", millis, errors.getFirst());
    }

    @Test
    void aMissingModelFolderStopsStartup() throws Exception {
        Path missing = temp.resolve("no-such-model");
        try (ServerProcess server = ServerProcess.start("quiver.models.m.path=" + missing)) {
            assertFailsWithOneLine(server, missing.toString());
        }
    }

    @Test
    void aCorruptGraphStopsStartupNamingTheFile() throws Exception {
        Path folder = Files.createDirectories(temp.resolve("corrupt"));
        for (String file : List.of("config.json", "tokenizer.json")) {
            try (InputStream in = ProcessIT.class.getResourceAsStream("/fixtures/tiny-random-bert-intents/" + file)) {
                Files.copy(in, folder.resolve(file));
            }
        }
        Files.writeString(folder.resolve("model.onnx"), "this is not a protobuf");
        try (ServerProcess server = ServerProcess.start("quiver.models.m.path=" + folder)) {
            assertFailsWithOneLine(server, folder.resolve("model.onnx").toString());
        }
    }

    @Test
    void askingForAGpuWithoutOneStopsStartup() throws Exception {
        try (ServerProcess server = ServerProcess.start("quiver.device=cuda",
                "quiver.models.m.path=embedded:all-minilm-l6-v2")) {
            assertFailsWithOneLine(server, "quiver.device=cuda");
        }
    }

    @Test
    void sigtermFinishesTheStreamRefusesNewWorkAndExitsZero() throws Exception {
        try (ServerProcess server = ServerProcess.start("quiver.models.chat.path=embedded:tiny-random-deepseek-r1")) {
            server.awaitReady(START);
            String stream = """
                    {"messages":[{"role":"user","content":"Tell me a story"}],"stream":true,
                     "max_tokens":480,"ignore_eos":true}""";
            HttpResponse<java.io.InputStream> response = server.http.send(HttpRequest.newBuilder(
                    server.uri("/v1/chat/completions")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(stream)).build(), HttpResponse.BodyHandlers
                    .ofInputStream());
            BufferedReader body = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
            assertTrue(body.readLine().startsWith("data: "));

            // Poll with cheap requests only: the stream must still be running while readiness and admission
            // are checked, and it lasts well under a second on a fast machine.
            server.process.destroy();
            CompletableFuture<Integer> exit = server.process.onExit().thenApply(Process::exitValue);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            int health;
            do {
                health = server.get("/health").statusCode();
            } while (health == 200 && System.nanoTime() < deadline);
            assertEquals(503, health, "readiness must go down on SIGTERM");
            String late = """
                    {"messages":[{"role":"user","content":"Hi"}],"max_tokens":1}""";
            assertEquals(503, server.post("/v1/chat/completions", late).statusCode(),
                    "a request after SIGTERM must be refused");

            List<String> events;
            try (Stream<String> lines = body.lines()) {
                events = lines.filter(l -> l.startsWith("data: ")).toList();
            }
            assertEquals("data: [DONE]", events.getLast(), "the in-flight stream must finish");
            assertTrue(events.get(events.size() - 2).contains("\"finish_reason\":\"length\""),
                    "the stream must run to max_tokens, not be cut off: " + events.get(events.size() - 2));
            assertEquals(0, exit.get());
        }
    }

    @Test
    void requestsCutOffAtTheEndOfTheGraceAreStillAnsweredWithAbort() throws Exception {
        int each = 3;
        try (ServerProcess server = ServerProcess.start("quiver.models.chat.path=embedded:tiny-random-deepseek-r1",
                "quiver.shutdown.grace=100ms")) {
            server.awaitReady(START);
            String whole = """
                    {"messages":[{"role":"user","content":"Tell me a story"}],"max_tokens":480,"ignore_eos":true}""";
            String stream = """
                    {"messages":[{"role":"user","content":"Tell me a story"}],"stream":true,
                     "max_tokens":480,"ignore_eos":true}""";
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
            for (int i = 0; i < each; i++) {
                answers.add(server.http.sendAsync(chat(server, whole), HttpResponse.BodyHandlers.ofString()));
                streams.add(server.http.sendAsync(chat(server, stream), HttpResponse.BodyHandlers.ofString()));
            }
            String allRunning = "quiver_requests_running{model=\"chat\",revision=\"local\"} " + 2 * each;
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!server.get("/q/metrics").body().contains(allRunning)) {
                assertTrue(System.nanoTime() < deadline, "every request should be running");
                Thread.sleep(10);
            }

            server.process.destroy();
            for (CompletableFuture<HttpResponse<String>> s : streams) {
                List<String> events = s.get().body().lines().filter(l -> l.startsWith("data: ")).toList();
                assertTrue(events.size() >= 2 && events.getLast().equals("data: [DONE]"),
                        "a stream cut off by the grace must still end: " + events);
                assertTrue(events.get(events.size() - 2).contains("\"finish_reason\":\"abort\""),
                        "a stream cut off by the grace ends with abort: " + events.get(events.size() - 2));
            }
            for (CompletableFuture<HttpResponse<String>> a : answers) {
                HttpResponse<String> cut = a.get();
                assertEquals(200, cut.statusCode(), cut.body());
                assertTrue(cut.body().contains("\"finish_reason\":\"abort\""), cut.body());
            }
            assertEquals(0, server.awaitExit(START));
            String log = server.output();
            assertTrue(log.contains("cutting off " + 2 * each + " requests (" + 2 * each + " running, 0 waiting)"),
                    log);
            assertTrue(log.contains(2 * each + " requests cut off by quiver.shutdown.grace, all answered"), log);
        }
    }

    /**
     * A stop while a model still opens waits for it and closes it: exiting under a warm-up that runs in ONNX Runtime
     * killed the JVM with SIGSEGV (exit 134). The model is named in a config file the launch cannot read, as a
     * mounted ConfigMap would be, so main's preload does not open it before the framework starts: it loads after
     * the signal handlers are installed, and its graph cache is off, so its session open takes a while.
     */
    @Test
    void sigtermWhileAModelLoadsClosesItAndExitsZero() throws Exception {
        Path config = temp.resolve("application.properties");
        Files.writeString(config, "quiver.models.late.path=" + RealModels.smollm2() + "\nquiver.graph-cache=off\n");
        try (ServerProcess server = ServerProcess.start("quarkus.config.locations=" + config.toUri())) {
            awaitLines(server, "Listening on", "model late loading");
            assertFalse(server.output().contains("model late warm"), "the model loaded before the test could stop "
                    + "it:\n" + server.output());
            server.process.destroy();
            assertEquals(0, server.awaitExit(START), server.output());
            String log = server.output();
            assertTrue(log.contains("model late loaded after the stop began: closed, not served"), log);
            assertFalse(log.contains("startup phase ready"), log);
            assertFalse(log.contains("fatal error"), log);
        }
    }

    private static void awaitLines(ServerProcess server, String... lines) throws Exception {
        long deadline = System.nanoTime() + START.toNanos();
        while (!Stream.of(lines).allMatch(server.output()::contains)) {
            assertTrue(server.process.isAlive() && System.nanoTime() < deadline, server.output());
            Thread.sleep(5);
        }
    }

    private static HttpRequest chat(ServerProcess server, String body) {
        return HttpRequest.newBuilder(server.uri("/v1/chat/completions")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }
}
