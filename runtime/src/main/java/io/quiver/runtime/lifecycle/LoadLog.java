package io.quiver.runtime.lifecycle;

import io.quiver.models.ModelKind;
import io.quiver.models.ModelFolder;
import io.quiver.models.chat.ChatModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * What one model load says in the log, wherever it runs (the preload from {@code main} or the registry): one line
 * when it starts, with the bytes it reads, a progress line every {@value #PROGRESS_SECONDS} s while it lasts, and
 * one line when the model is warm. Each load says each of these once.
 */
final class LoadLog implements AutoCloseable {
    static final int PROGRESS_SECONDS = 5;
    private static final Logger LOG = Logger.getLogger(ModelRegistry.class);
    private static final ScheduledExecutorService TICKER = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("quiver-load-progress").daemon().factory());

    private final String name;
    private final long start;
    private final ScheduledFuture<?> progress;
    private volatile Map<String, Long> phases = Map.of();

    private LoadLog(String name, long start) {
        this.name = name;
        this.start = start;
        this.progress = TICKER.scheduleAtFixedRate(() -> LOG.infof("model %s still loading: %d s so far", name,
                        (System.nanoTime() - start) / 1_000_000_000L), PROGRESS_SECONDS, PROGRESS_SECONDS,
                TimeUnit.SECONDS);
    }

    /** Logs the start of a load: the model's name, kind, the bytes of the files it reads, and where from. */
    static LoadLog loading(String name, String path, ModelKind kind, Path folder, String onnxFile, String where) {
        long bytes = bytes(folder, kind, onnxFile);
        LOG.infof("model %s loading (%s): %s, %,d bytes (%.1f MB) from %s", name, where, kind.name().toLowerCase(),
                bytes, bytes / 1e6, path);
        return new LoadLog(name, System.nanoTime());
    }

    /** The rest of a load that began elsewhere (a chat model preloaded from main, warmed once served). */
    static LoadLog resumed(String name, long start) {
        return new LoadLog(name, start);
    }

    /** What the load's parts cost, in ms, in the order they ran: said with the warm line. */
    LoadLog phases(Map<String, Long> millis) {
        this.phases = Collections.unmodifiableMap(new LinkedHashMap<>(millis));
        return this;
    }

    /** Logs that the model is warm, with what its load, its parts and its warm-up cost. */
    void warm(long loadNanos, long warmNanos, Object placement) {
        progress.cancel(false);
        LOG.infof("model %s warm: loaded in %d ms, warmed in %d ms, on %s%s", name, loadNanos / 1_000_000,
                warmNanos / 1_000_000, placement, parts(phases));
    }

    /** " (a 1 ms, b 2 ms)", or nothing for no parts. */
    static String parts(Map<String, Long> millis) {
        StringBuilder parts = new StringBuilder();
        millis.forEach((phase, ms) -> parts.append(parts.isEmpty() ? " (" : ", ").append(phase).append(' ')
                .append(ms).append(" ms"));
        return parts.isEmpty() ? "" : parts.append(')').toString();
    }

    /** {@link System#nanoTime} when the load started. */
    long start() {
        return start;
    }

    @Override
    public void close() {
        progress.cancel(false);
    }

    /**
     * The bytes a load reads: every file of the folder, except, for a chat model, the decoder graphs (and their
     * external data) other than the one configured, as an onnx-community folder holds several.
     */
    static long bytes(Path folder, ModelKind kind, String onnxFile) {
        String graph = null;
        if (kind == ModelKind.CHAT) {
            try {
                graph = ChatModel.graph(ModelFolder.of(folder), onnxFile).getFileName().toString();
            } catch (RuntimeException e) {
                graph = null; // the load itself names what is missing
            }
        }
        String chosen = graph;
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).filter(f -> {
                String file = f.getFileName().toString();
                return chosen == null || !file.contains(".onnx") || file.startsWith(chosen);
            }).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }
}
