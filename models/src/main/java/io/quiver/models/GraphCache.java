package io.quiver.models;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession.SessionOptions;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * ONNX Runtime's optimised graphs, kept on disk so that the next start of the same model skips graph optimisation,
 * which for a large decoder is most of its session creation. The first open of a graph writes what ONNX Runtime
 * made of it; a later open loads that with optimisation off. An entry is keyed by the graph file and its external
 * data (path, size, modification time), the ONNX Runtime version, the device, the CPU and the session's kind, so a
 * changed model, runtime, device or machine type misses and writes a new entry. An entry is read only when no
 * other user can have written it ({@link CacheFolder}) and its files are the ones it was written with
 * ({@link EntryManifest}); otherwise it is written again, or, read-only, the graph itself is opened. Off until
 * {@link #configure}d.
 */
public final class GraphCache {
    /**
     * AUTO: read and write entries for 4-bit graphs only, where the cache pays; a float graph's entry is as large as
     * the graph and saves little (measured in deployment/README.md, "Cold start").
     */
    public enum Mode { AUTO, READ_WRITE, READ_ONLY, OFF }

    private static final System.Logger LOG = System.getLogger(GraphCache.class.getName());
    static final String GRAPH = "model.onnx";
    /**
     * Beside the graph in an entry: what it was made for but the versions (graph path, device, CPU type), so the
     * entry of a newer graph file or runtime replaces it, and entries for other devices or CPUs stay.
     */
    static final String SOURCE = "source";
    /** Weights above this size go to one external data file, as a graph over 2 GB must. */
    private static final String EXTERNAL_MIN_BYTES = "1024";
    /**
     * What an entry holds; a new format misses the entries written before it. 2: pre-packed weights too; 3: the
     * list of its files; 4: no int8-activation packings (those of 3 read back wrong); 5: its data laid out on pages
     * ({@link AlignedData}), so those packings are kept and read back right.
     */
    private static final int ENTRY_FORMAT = 5;

    private static volatile Path dir;
    private static volatile Mode mode = Mode.OFF;

    private GraphCache() {
    }

    /** Process-wide: where entries live and whether they are read and written. Call before any graph opens. */
    public static void configure(Path directory, Mode newMode) {
        dir = directory;
        mode = newMode;
    }

    public static Mode mode() {
        return mode;
    }

    /** A configured mode from its setting's words: {@code read-write}, {@code read-only} or {@code off}. */
    public static Mode parse(String words) {
        return Mode.valueOf(words.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    /**
     * What {@link #prepare} decided for one open of {@code onnx}: the file to open, and the cache entry it reads
     * ({@code writing} false) or writes ({@code writing} true, with pre-packed weights when {@code packed}), or
     * none ({@code entry} null).
     */
    record Opening(Path onnx, Path graph, Path entry, boolean writing, String source, boolean packed) {
        boolean viaCache() {
            return entry != null;
        }
    }

    /** What to open for {@code onnx}: a cached optimised graph (with optimisation turned off), or the graph itself. */
    static Opening prepare(Path onnx, String device, boolean convolutional, SessionOptions options)
            throws OrtException {
        if (mode == Mode.OFF) {
            return new Opening(onnx, onnx, null, false, null, false);
        }
        boolean fourBit = GraphSummary.read(onnx).opTypes().contains("MatMulNBits");
        if (mode == Mode.AUTO && !fourBit) {
            return new Opening(onnx, onnx, null, false, null, false);
        }
        Optional<String> shared = Files.exists(dir, LinkOption.NOFOLLOW_LINKS) ? CacheFolder.distrust(dir, true)
                : Optional.empty();
        if (shared.isPresent()) {
            LOG.log(Level.WARNING, "{0}: the optimised-graph cache {1} {2}, so it is neither read nor written",
                    onnx.getFileName(), dir, shared.get());
            return new Opening(onnx, onnx, null, false, null, false);
        }
        Path entry = dir.resolve(key(onnx, device, convolutional));
        boolean writes = mode == Mode.READ_WRITE || mode == Mode.AUTO;
        if (Files.exists(entry, LinkOption.NOFOLLOW_LINKS)) {
            Optional<String> refused = EntryManifest.verify(entry);
            if (refused.isEmpty()) {
                options.setOptimizationLevel(SessionOptions.OptLevel.NO_OPT);
                LOG.log(Level.INFO, "{0}: optimised graph from the cache {1}", onnx.getFileName(),
                        entry.getFileName());
                return new Opening(onnx, entry.resolve(GRAPH), entry, false, null, false);
            }
            LOG.log(Level.WARNING, "{0}: not using the cached optimised graph {1}: it {2}{3}", onnx.getFileName(),
                    entry.getFileName(), refused.get(), writes ? "; writing it again" : "");
            if (writes) {
                delete(entry);
            }
        }
        if (writes) {
            Optional<Path> staging = staging(entry);
            if (staging.isPresent()) {
                options.setOptimizedModelFilePath(staging.get().resolve(GRAPH).toString());
                // Its warning that the graph may hold CPU-specific kernels: the key holds the CPU type.
                options.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
                options.addConfigEntry("session.optimized_model_external_initializers_file_name", GRAPH + ".data");
                options.addConfigEntry("session.optimized_model_external_initializers_min_size_in_bytes",
                        EXTERNAL_MIN_BYTES);
                if (fourBit) {
                    // 4-bit weights as MatMulNBits packs them, so a later open maps them from the entry instead of
                    // holding a packed copy on the heap (ONNX Runtime 1.29 still packs them at each open, then keeps
                    // the mapped ones); laid out on pages at commit (AlignedData). Only there: it writes some small
                    // float MatMul packings that crash the session reading them back.
                    options.addConfigEntry("session.save_external_prepacked_constant_initializers", "1");
                }
                return new Opening(onnx, onnx, entry, true, source(onnx, device, convolutional), fourBit);
            }
        }
        return new Opening(onnx, onnx, null, false, null, false);
    }

    /** After a session opened: moves a freshly written entry into place (another process may have won the race). */
    static void commit(Opening opening) {
        if (!opening.writing()) {
            return;
        }
        Path staging = stagingPath(opening.entry());
        if (!Files.isRegularFile(staging.resolve(GRAPH), LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Path data = staging.resolve(GRAPH + ".data");
            if (opening.packed() && Files.isRegularFile(data, LinkOption.NOFOLLOW_LINKS)) {
                AlignedData.align(staging.resolve(GRAPH), data);
            }
            Files.writeString(staging.resolve(SOURCE), opening.source());
            EntryManifest.seal(staging);
            Files.move(staging, opening.entry(), StandardCopyOption.ATOMIC_MOVE);
            LOG.log(Level.INFO, "{0}: optimised graph cached as {1}", opening.onnx().getFileName(),
                    opening.entry().getFileName());
            dropOlder(opening.entry(), opening.source());
        } catch (AtomicMoveNotSupportedException | java.nio.file.FileAlreadyExistsException e) {
            delete(staging);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "{0}: cannot cache the optimised graph in {1}: {2}", opening.onnx().getFileName(),
                    dir, e.toString());
            delete(staging);
        }
    }

    /** A session failed to open: drops the cached entry it came from, or the half-written one. */
    static void abandon(Opening opening) {
        if (!opening.viaCache()) {
            return;
        }
        if (!opening.writing()) {
            LOG.log(Level.WARNING, "discarding the cached optimised graph {0}", opening.entry().getFileName());
            delete(opening.entry());
        }
        delete(stagingPath(opening.entry()));
    }

    /** What an entry is for, versions aside: the graph's path, the device and session kind, the CPU type. */
    private static String source(Path onnx, String device, boolean convolutional) {
        return onnx.toAbsolutePath().normalize() + "\ndevice " + device + (convolutional ? " convolutional" : "")
                + "\ncpu " + cpu() + "\n";
    }

    /**
     * Deletes the entries written before {@code kept} for the same graph path (the model was replaced, or the
     * runtime upgraded): a cache on a volume would otherwise keep a copy of every version of every model.
     */
    private static void dropOlder(Path kept, String source) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path other : entries) {
                Path marker = other.resolve(SOURCE);
                if (!other.equals(kept) && Files.exists(marker, LinkOption.NOFOLLOW_LINKS)
                        && CacheFolder.distrust(marker, false).isEmpty() && Files.readString(marker).equals(source)) {
                    LOG.log(Level.INFO, "dropping the cached graph {0}, made from an older version of {1}",
                            other.getFileName(), kept.getFileName());
                    delete(other);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.log(Level.DEBUG, "cannot prune {0}: {1}", dir, e.toString());
        }
    }

    private static Optional<Path> staging(Path entry) {
        Path staging = stagingPath(entry);
        try {
            delete(staging);
            CacheFolder.folder(dir.getParent(), dir.getFileName().toString(), staging.getFileName().toString());
            return Optional.of(staging);
        } catch (IOException | UncheckedIOException e) {
            LOG.log(Level.WARNING, "cannot write into the optimised-graph cache {0} ({1}); graphs are optimised on "
                    + "every start", dir, e.getMessage());
            return Optional.empty();
        }
    }

    private static Path stagingPath(Path entry) {
        // Per process and thread: two loads of one graph must not write into one folder.
        return entry.resolveSibling(entry.getFileName() + ".partial-" + ProcessHandle.current().pid() + "-"
                + Thread.currentThread().threadId());
    }

    /** The graph file and every file beside it that its name starts (its external data), the runtime and device. */
    static String key(Path onnx, String device, boolean convolutional) {
        return key(onnx, device, convolutional, OnnxLoader.environment().getVersion());
    }

    static String key(Path onnx, String device, boolean convolutional, String ortVersion) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            Path graph = onnx.toAbsolutePath().normalize();
            String base = graph.getFileName().toString();
            // What the entry is for, then the versions: the files' sizes and times, the entry format, the runtime.
            StringBuilder text = new StringBuilder(source(onnx, device, convolutional));
            List<Path> files = new java.util.ArrayList<>();
            try (DirectoryStream<Path> siblings = Files.newDirectoryStream(graph.getParent(), base + "*")) {
                siblings.forEach(files::add);
            }
            for (Path file : files.stream().sorted().toList()) {
                text.append(file.getFileName()).append(' ').append(Files.size(file)).append(' ')
                        .append(Files.getLastModifiedTime(file).toMillis()).append('\n');
            }
            text.append("entry ").append(ENTRY_FORMAT).append('\n').append("ort ").append(ortVersion).append('\n');
            byte[] digest = sha.digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return base.replaceFirst("\\.onnx$", "") + "-" + HexFormat.of().formatHex(digest, 0, 12);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The CPU model and its instruction-set flags: ONNX Runtime's optimised CPU graphs may use them. */
    private static String cpu() {
        List<String> described = CpuInfo.describe();
        String arch = System.getProperty("os.arch");
        return described.isEmpty() ? arch : arch + " " + String.join(" ", described);
    }

    private static void delete(Path path) {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "cannot remove {0}: {1}", path, e.toString());
        }
    }
}
