package io.quiver.runtime.lifecycle;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Knative Serving's queue-proxy as a real process beside Quiver, with the environment the revision reconciler
 * (pkg/reconciler/revision/resources/queue.go, knative.dev/serving v0.42.2) gives it in a revision pod.
 */
final class QueueProxy implements AutoCloseable {
    /** Knative's constants (pkg/networking): not configurable, so they must be free on this machine. */
    static final int ADMIN_PORT = 8022;
    static final int AUTOSCALER_METRICS_PORT = 9090;
    static final int METRICS_PORT = 9091;
    static final String REVISION = "quiver-embed-00001";
    static final String SERVICE = "quiver-embed";
    static final String POD = REVISION + "-deployment-7d9f8c6b5-x2x4q";

    final Process process;
    final int port;
    final Path log;

    private QueueProxy(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Builds (or finds, the second time) the binary with the repository's script; fails with its output. */
    static Path build() throws IOException, InterruptedException {
        Path script = repositoryRoot().resolve("deployment/knative/build-queue-proxy.sh");
        Path out = Files.createTempFile("build-queue-proxy", ".log");
        Process build = new ProcessBuilder("bash", script.toString()).redirectError(out.toFile()).start();
        String stdout = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        boolean done = build.waitFor(15, TimeUnit.MINUTES);
        String stderr = Files.readString(out);
        Files.deleteIfExists(out);
        if (!done || build.exitValue() != 0) {
            build.destroyForcibly();
            throw new AssertionError(script + " failed (it needs Go 1.22+ and the Go module proxy the first time):\n"
                    + stderr);
        }
        Path binary = Path.of(stdout.lines().reduce((a, b) -> b).orElse(""));
        if (!Files.isExecutable(binary)) {
            throw new AssertionError(script + " printed no executable: " + stdout + "\n" + stderr);
        }
        return binary;
    }

    /**
     * Starts queue-proxy in front of a user container on {@code userPort}: cap {@code containerConcurrency},
     * the user container's readiness probe on {@code readinessPath} with no periodSeconds (Knative's aggressive
     * probing, as the manifests have it), Prometheus request metrics on {@link #METRICS_PORT}.
     */
    static QueueProxy start(Path binary, int userPort, int containerConcurrency, String readinessPath)
            throws IOException {
        for (int fixed : List.of(ADMIN_PORT, AUTOSCALER_METRICS_PORT, METRICS_PORT)) {
            try (ServerSocket probe = new ServerSocket()) {
                probe.bind(new InetSocketAddress(fixed));
            } catch (IOException taken) {
                throw new AssertionError("queue-proxy listens on Knative's fixed ports " + ADMIN_PORT + ", "
                        + AUTOSCALER_METRICS_PORT + " and " + METRICS_PORT + "; port " + fixed
                        + " is taken on this machine: stop what holds it (" + taken.getMessage() + ")");
            }
        }
        int port = freePort();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SERVING_NAMESPACE", "default");
        env.put("SERVING_SERVICE", SERVICE);
        env.put("SERVING_CONFIGURATION", SERVICE);
        env.put("SERVING_REVISION", REVISION);
        env.put("QUEUE_SERVING_PORT", Integer.toString(port));
        env.put("QUEUE_SERVING_TLS_PORT", Integer.toString(freePort()));
        env.put("CONTAINER_CONCURRENCY", Integer.toString(containerConcurrency));
        env.put("REVISION_TIMEOUT_SECONDS", "300");
        env.put("REVISION_RESPONSE_START_TIMEOUT_SECONDS", "60");
        env.put("REVISION_IDLE_TIMEOUT_SECONDS", "0");
        env.put("SERVING_POD", POD);
        env.put("SERVING_POD_IP", "127.0.0.1");
        env.put("SERVING_LOGGING_CONFIG", "");
        env.put("SERVING_LOGGING_LEVEL", "info");
        env.put("SERVING_REQUEST_LOG_TEMPLATE", "");
        env.put("SERVING_ENABLE_REQUEST_LOG", "false");
        env.put("SERVING_REQUEST_METRICS_BACKEND", "prometheus");
        env.put("SERVING_REQUEST_METRICS_REPORTING_PERIOD_SECONDS", "5");
        env.put("TRACING_CONFIG_BACKEND", "none");
        env.put("TRACING_CONFIG_ZIPKIN_ENDPOINT", "");
        env.put("TRACING_CONFIG_DEBUG", "false");
        env.put("TRACING_CONFIG_SAMPLE_RATE", "0.1");
        env.put("USER_PORT", Integer.toString(userPort));
        env.put("SYSTEM_NAMESPACE", "knative-serving");
        env.put("METRICS_DOMAIN", "knative.dev/internal/serving");
        // What applyReadinessProbeDefaults makes of the manifests' readinessProbe (host, port, scheme filled in).
        env.put("SERVING_READINESS_PROBE", "{\"httpGet\":{\"path\":\"" + readinessPath + "\",\"port\":" + userPort
                + ",\"host\":\"127.0.0.1\",\"scheme\":\"HTTP\"},\"successThreshold\":1}");
        env.put("ENABLE_PROFILING", "false");
        env.put("SERVING_ENABLE_PROBE_REQUEST_LOG", "false");
        env.put("METRICS_COLLECTOR_ADDRESS", "");
        env.put("HOST_IP", "127.0.0.1");
        env.put("ENABLE_HTTP2_AUTO_DETECTION", "false");
        env.put("ENABLE_HTTP_FULL_DUPLEX", "false");
        env.put("ROOT_CA", "");
        env.put("ENABLE_MULTI_CONTAINER_PROBES", "false");
        Path log = Files.createTempFile("queue-proxy", ".log");
        ProcessBuilder builder = new ProcessBuilder(binary.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        return new QueueProxy(builder.start(), port, log);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    static URI admin(String path) {
        return URI.create("http://127.0.0.1:" + ADMIN_PORT + path);
    }

    static URI metrics() {
        return URI.create("http://127.0.0.1:" + METRICS_PORT + "/metrics");
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("deployment/knative/build-queue-proxy.sh"))) {
                return dir;
            }
        }
        throw new AssertionError("no deployment/knative/build-queue-proxy.sh above " + Path.of("").toAbsolutePath());
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(log);
    }
}
