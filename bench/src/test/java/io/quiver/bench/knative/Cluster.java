package io.quiver.bench.knative;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The single-node Kubernetes with Knative Serving that deployment/cluster/start.sh brings up, driven through its
 * own kubectl. The cluster is the test's: {@link #start} stops it again when the JVM ends, however it ends.
 */
final class Cluster implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final Path root;
    private final Path kubectl;
    private final Path state;
    private final Thread stopOnExit;
    private boolean stopped;

    private Cluster(Path root, Path kubectl, Path state) {
        this.root = root;
        this.kubectl = kubectl;
        this.state = state;
        this.stopOnExit = new Thread(this::stopQuietly, "cluster-stop");
        Runtime.getRuntime().addShutdownHook(stopOnExit);
    }

    /**
     * Builds what is missing (deployment/cluster/build.sh: 18 minutes on an empty cache here), starts the cluster
     * and returns it. The shutdown hook is in place before the first process starts, so an interrupted start is
     * cleaned up too; a failed one prints the components' logs first.
     */
    static Cluster start() throws IOException, InterruptedException {
        Path root = repositoryRoot();
        String out = script(root, Duration.ofMinutes(60), "deployment/cluster/build.sh").strip();
        Path kubectl;
        try (var dirs = Files.list(Path.of(out.lines().reduce((a, b) -> b).orElseThrow()))) {
            kubectl = dirs.filter(d -> d.getFileName().toString().startsWith("kubernetes-")).findFirst()
                    .orElseThrow(() -> new AssertionError("build.sh made no kubernetes-* folder in " + out))
                    .resolve("bin/kubectl");
        }
        Path state = Path.of(System.getenv().getOrDefault("CLUSTER_STATE", "/var/lib/quiver-cluster"));
        Cluster cluster = new Cluster(root, kubectl, state);
        try {
            script(root, Duration.ofMinutes(15), "deployment/cluster/start.sh");
        } catch (AssertionError | IOException | InterruptedException e) {
            cluster.printLogs();
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** The last lines of every component's log (the control plane's, containerd's, the kubelet's). */
    void printLogs() throws IOException {
        Path logs = state.resolve("log");
        if (!Files.isDirectory(logs)) {
            return;
        }
        try (var files = Files.list(logs)) {
            for (Path log : files.filter(Files::isRegularFile).sorted().toList()) {
                System.err.println("--- " + log.getFileName() + "\n" + lastLines(Files.readString(log), 20));
            }
        }
    }

    /** Runs a repository script, its stderr passed through; fails with the script's own last lines. */
    static String script(Path root, Duration timeout, String script, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", root.resolve(script).toString()));
        command.addAll(List.of(args));
        Result r = run(command, timeout);
        System.err.print(r.stderr);
        if (r.code != 0) {
            throw new AssertionError(script + " failed (exit " + r.code + "): " + lastLines(r.stderr + r.stdout, 15));
        }
        return r.stdout;
    }

    /** kubectl on this cluster; fails with its error output. */
    String kubectl(String... args) throws IOException, InterruptedException {
        Result r = run(kubectlCommand(args), Duration.ofMinutes(6));
        if (r.code != 0) {
            throw new AssertionError("kubectl " + String.join(" ", args) + ": " + r.stderr.strip());
        }
        return r.stdout;
    }

    /** kubectl's exit code and output, for commands expected to fail (a webhook's refusal). */
    Result kubectlResult(String... args) throws IOException, InterruptedException {
        return run(kubectlCommand(args), Duration.ofMinutes(2));
    }

    JsonNode json(String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-o", "json"));
        return JSON.readTree(kubectl(all.toArray(String[]::new)));
    }

    /** Applies one object given as JSON (server-side, so the field owners match what the manifests own). */
    void apply(JsonNode object) throws IOException, InterruptedException {
        Path file = Files.createTempFile("knative-e2e", ".json");
        try {
            Files.writeString(file, JSON.writeValueAsString(object));
            kubectl("apply", "--server-side", "--force-conflicts", "-f", file.toString());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    List<String> kubectlCommand(String... args) {
        List<String> command = new ArrayList<>(List.of(kubectl.toString(), "--kubeconfig",
                state.resolve("pki/admin.conf").toString()));
        command.addAll(List.of(args));
        return command;
    }

    /** containerd's ctr on the cluster's containerd (images are loaded from archives, not pulled). */
    String ctr(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ctr", "--address",
                state.resolve("containerd/containerd.sock").toString(), "-n", "k8s.io"));
        command.addAll(List.of(args));
        Result r = run(command, Duration.ofMinutes(10));
        if (r.code != 0) {
            throw new AssertionError("ctr " + String.join(" ", args) + ": " + r.stderr.strip());
        }
        return r.stdout;
    }

    record Result(int code, String stdout, String stderr) {
    }

    /** Runs a command to its end; its output is read on threads of its own, every wait is interruptible. */
    static Result run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).start();
        String[] output = new String[2];
        Thread out = Thread.ofVirtual().start(() -> output[0] = read(p.getInputStream()));
        Thread err = Thread.ofVirtual().start(() -> output[1] = read(p.getErrorStream()));
        try {
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError(String.join(" ", command) + " did not end within " + timeout);
            }
            out.join();
            err.join();
        } finally {
            p.destroyForcibly();
        }
        return new Result(p.exitValue(), output[0], output[1]);
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    static String lastLines(String text, int n) {
        List<String> lines = text.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("deployment/cluster/start.sh"))) {
                return dir;
            }
        }
        throw new AssertionError("no deployment/cluster/start.sh above " + Path.of("").toAbsolutePath());
    }

    private void stopQuietly() {
        try {
            close();
        } catch (Exception e) {
            System.err.println("cluster stop: " + e.getMessage());
        }
    }

    /** Stops the cluster (stop.sh: every process, mount, cgroup, namespace and file it made). */
    @Override
    public synchronized void close() throws IOException, InterruptedException {
        if (stopped) {
            return;
        }
        stopped = true;
        if (Thread.currentThread() != stopOnExit) {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        }
        keepLogs();
        script(root, Duration.ofMinutes(5), "deployment/cluster/stop.sh");
    }

    /**
     * Copies the components' and the pods' logs, and the cluster's events, to bench/target/knative-e2e-logs before
     * stop.sh removes the state folder: what a failed run needs to be understood after the fact.
     */
    private void keepLogs() {
        Path to = root.resolve("bench/target/knative-e2e-logs");
        Path logs = state.resolve("log");
        try {
            if (Files.isDirectory(to)) {
                try (var old = Files.walk(to)) {
                    for (Path p : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            Files.createDirectories(to);
            if (Files.isDirectory(logs)) {
                try (var files = Files.walk(logs)) {
                    for (Path p : files.filter(Files::isRegularFile).toList()) {
                        Path target = to.resolve(logs.relativize(p).toString());
                        Files.createDirectories(target.getParent());
                        Files.copy(p, target);
                    }
                }
            }
            Result events = run(kubectlCommand("get", "events", "-A", "--sort-by=.lastTimestamp"),
                    Duration.ofSeconds(30));
            Files.writeString(to.resolve("events.txt"), events.stdout() + events.stderr());
        } catch (IOException | InterruptedException | AssertionError e) {
            System.err.println("cluster logs not kept: " + e.getMessage());
        }
    }
}
