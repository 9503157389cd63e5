package io.quiver.bench.startup;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The packaged server (or a peer server) as a child process: started with the given JVM options, application
 * arguments and environment, its console captured line by line as it comes (startup phases are parsed from it),
 * stopped with SIGTERM as Knative stops a pod.
 */
public final class ServerProcess implements AutoCloseable {
    private final Process process;
    private final URI base;
    private final long startedNanos;
    private final List<StartupPhases.Line> log = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();

    private ServerProcess(Process process, URI base, long startedNanos) {
        this.process = process;
        this.base = base;
        this.startedNanos = startedNanos;
        Thread.ofVirtual().start(this::pump);
    }

    /** Starts {@code java <jvmOptions> -Dquarkus.http.port=<port> -jar <jar> <args>}. */
    public static ServerProcess start(Path java, Path jar, int port, List<String> jvmOptions, List<String> args,
                                      Map<String, String> env) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmOptions);
        command.add("-Dquarkus.http.port=" + port);
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        long t0 = System.nanoTime();
        return new ServerProcess(builder.start(), URI.create("http://localhost:" + port), t0);
    }

    /** Starts any server command (a peer: llama-server, vLLM, Infinity) that will answer at {@code base}. */
    public static ServerProcess startCommand(List<String> command, URI base, Map<String, String> env)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        long t0 = System.nanoTime();
        Process process = builder.start();
        // A peer outlives an interrupted bench otherwise (Ctrl-C, a time limit) and holds its port and cores.
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(process::destroy));
        return new ServerProcess(process, base, t0);
    }

    private void pump() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                log.add(new StartupPhases.Line(sinceStartNanos() / 1e6, line));
            }
        } catch (IOException ignored) {
            // the process is gone
        }
    }

    /** The readiness probe: SmallRye's, which turns 200 once every model is loaded and warmed. */
    public static final String READY_PATH = "/q/health/ready";

    /** Polls the readiness probe every 5 ms; returns nanoseconds since process start, or -1 on exit or timeout. */
    public long awaitReady(Duration timeout) throws InterruptedException {
        return awaitReady(timeout, READY_PATH);
    }

    public long awaitReady(Duration timeout, String path) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest ready = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(2))
                .GET().build();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return System.nanoTime() - startedNanos;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(5);
        }
        return -1;
    }

    public long sinceStartNanos() {
        return System.nanoTime() - startedNanos;
    }

    public URI base() {
        return base;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** The exit status once it has exited (128 + n: killed by signal n), else -1. */
    public int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    public List<String> log() {
        return log.stream().map(StartupPhases.Line::text).toList();
    }

    /** The console so far, each line with when it was read (ms since the process started). */
    public List<StartupPhases.Line> timedLog() {
        return List.copyOf(log);
    }

    public String get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    /** SIGTERM, then SIGKILL after {@code grace}; returns the exit code. */
    public int stop(Duration grace) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop(Duration.ofSeconds(30));
        }
    }
}
