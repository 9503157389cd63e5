package io.quiver.models.chat;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoraAdapter;
import ai.onnxruntime.OrtSession;
import io.quiver.models.InvalidRequestException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The LoRA adapters an engine serves ({@code .onnx_adapter} files, as onnxruntime-genai's model builder and Olive
 * write them): each is ONNX Runtime's {@link OrtLoraAdapter} and run options that make it active, which feed its
 * tensors as the graph inputs of the same names (the graph's LoRA weights, whose defaults are "no adapter"). Loaded
 * and unloaded from any thread; an adapter unloaded while requests use it stays in memory until the last ends, and
 * a new one of the same name is a different adapter (its own {@link Adapter#id}, so no cache computed under the old
 * one is reused).
 */
public final class LoraAdapters implements AutoCloseable {
    /** Checks that an adapter fits the graph by running it: throws with the runtime's reason when it does not. */
    interface Probe {
        void run(OrtSession.RunOptions options) throws OrtException;
    }

    /** One loaded adapter. */
    static final class Adapter {
        final String name;
        /** Unique for the engine's life; 0 is the base model. */
        final long id;
        final long bytes;
        final OrtSession.RunOptions options;
        private final OrtLoraAdapter weights;
        /** Sequences holding it (guarded by the registry), and of those how many wait for a slot or run. */
        private int users;
        private boolean unloaded;
        final AtomicInteger waiting = new AtomicInteger();
        final AtomicInteger running = new AtomicInteger();

        private Adapter(String name, long id, long bytes, OrtLoraAdapter weights, OrtSession.RunOptions options) {
            this.name = name;
            this.id = id;
            this.bytes = bytes;
            this.weights = weights;
            this.options = options;
        }

        private void close() {
            options.close();
            weights.close();
        }
    }

    private static final System.Logger LOG = System.getLogger(LoraAdapters.class.getName());
    private final Map<String, Adapter> loaded = new LinkedHashMap<>();
    private final int max;
    private final long maxBytes;
    private final String unsupported;
    private final Probe probe;
    private long nextId = 1;
    private volatile Runnable changed = () -> { };

    /**
     * @param max         adapters loaded at once at most
     * @param maxBytes    the largest adapter file taken (a low-rank adapter is far smaller than its model)
     * @param unsupported why the engine cannot serve adapters, or null when it can
     */
    LoraAdapters(int max, long maxBytes, String unsupported, Probe probe) {
        this.max = max;
        this.maxBytes = maxBytes;
        this.unsupported = unsupported;
        this.probe = probe;
    }

    /**
     * Loads {@code file} as adapter {@code name}, checked by one run of the graph with it active; with
     * {@code replace}, one already of that name gives way to it (its running requests finish with it).
     *
     * @throws InvalidRequestException the engine serves no adapters, the name is taken (without replace), the limit
     *                                 is reached, or the file is missing, too large or does not fit the graph
     */
    public void load(String name, Path file, boolean replace) {
        if (unsupported != null) {
            throw new InvalidRequestException("lora_path", unsupported);
        }
        if (name == null || name.isBlank()) {
            throw new InvalidRequestException("lora_name", "lora_name must not be empty");
        }
        long bytes;
        try {
            bytes = Files.size(file);
        } catch (IOException e) {
            throw new InvalidRequestException("lora_path", "cannot read the adapter file " + file + ": " + e);
        }
        if (bytes > maxBytes) {
            throw new InvalidRequestException("lora_path", "the adapter file " + file + " has " + bytes + " bytes, more "
                    + "than the model's weights (" + maxBytes + "); it is not a LoRA adapter of this model");
        }
        synchronized (this) {
            checkRoom(name, replace);
        }
        Adapter adapter = open(name, file, bytes);
        synchronized (this) {
            try {
                checkRoom(name, replace);
            } catch (RuntimeException e) {
                adapter.close();
                throw e;
            }
            Adapter old = loaded.put(name, adapter);
            if (old != null) {
                retire(old);
            }
        }
        LOG.log(System.Logger.Level.INFO, "LoRA adapter {0} loaded from {1} ({2} bytes)", name, file, bytes);
        changed.run();
    }

    private void checkRoom(String name, boolean replace) {
        if (loaded.containsKey(name) && !replace) {
            throw new InvalidRequestException("lora_name", "The LoRA adapter '" + name + "' is already loaded");
        }
        if (!loaded.containsKey(name) && loaded.size() >= max) {
            throw new InvalidRequestException("lora_name", "This model holds " + max + " LoRA adapters, its limit "
                    + "(max-adapters); unload one first");
        }
    }

    /** Reads the file and runs the graph once with it active, outside the lock (it takes a model run). */
    private Adapter open(String name, Path file, long bytes) {
        OrtLoraAdapter weights = null;
        OrtSession.RunOptions options = null;
        try {
            weights = OrtLoraAdapter.create(file.toString());
            options = new OrtSession.RunOptions();
            options.addActiveLoraAdapter(weights);
            probe.run(options);
            long id;
            synchronized (this) {
                id = nextId++;
            }
            return new Adapter(name, id, bytes, weights, options);
        } catch (OrtException | RuntimeException e) {
            if (options != null) {
                options.close();
            }
            if (weights != null) {
                weights.close();
            }
            throw new InvalidRequestException("lora_path", "the adapter file " + file + " does not fit this model: "
                    + firstLine(e.getMessage()));
        }
    }

    /**
     * Unloads an adapter: new requests cannot name it, running ones finish with it (its memory goes with the last).
     * False when none of that name is loaded.
     */
    public boolean unload(String name) {
        synchronized (this) {
            Adapter adapter = loaded.remove(name);
            if (adapter == null) {
                return false;
            }
            retire(adapter);
        }
        LOG.log(System.Logger.Level.INFO, "LoRA adapter {0} unloaded", name);
        changed.run();
        return true;
    }

    private void retire(Adapter adapter) {
        adapter.unloaded = true;
        if (adapter.users == 0) {
            adapter.close();
        }
    }

    /**
     * Gives a new group's sequences the adapter, each holding it until it ends (an unload meanwhile waits for the
     * last of them); all or none.
     *
     * @throws AdapterNotFoundException it is not loaded
     */
    void attach(List<Sequence> group, String name) {
        synchronized (this) {
            if (!loaded.containsKey(name)) {
                throw new AdapterNotFoundException(name);
            }
            for (Sequence m : group) {
                m.useAdapter(this, acquire(name));
            }
        }
        changed.run();
    }

    /** The adapter a new sequence runs with, counted as waiting until {@link #admitted}. */
    synchronized Adapter acquire(String name) {
        Adapter adapter = loaded.get(name);
        if (adapter == null) {
            throw new AdapterNotFoundException(name);
        }
        adapter.users++;
        adapter.waiting.incrementAndGet();
        return adapter;
    }

    /** A sequence using it took a slot. */
    void admitted(Adapter adapter) {
        adapter.waiting.decrementAndGet();
        adapter.running.incrementAndGet();
        changed.run();
    }

    /**
     * Runs {@code listener} after each change of the adapters loaded, running or waiting (on the thread that made
     * it, so keep it short): how a router's view of them stays current.
     */
    public void onChange(Runnable listener) {
        changed = listener;
    }

    /** A sequence using it ended ({@code admitted}: after it took a slot); the last user of an unloaded one frees it. */
    void release(Adapter adapter, boolean admitted) {
        synchronized (this) {
            (admitted ? adapter.running : adapter.waiting).decrementAndGet();
            if (--adapter.users == 0 && adapter.unloaded) {
                adapter.close();
            }
        }
        changed.run();
    }

    public synchronized boolean contains(String name) {
        return loaded.containsKey(name);
    }

    /** Names loaded now, in load order. */
    public synchronized List<String> names() {
        return new ArrayList<>(loaded.keySet());
    }

    /** Loaded adapters with completions executing now, sorted by name. */
    public List<String> running() {
        return inUse(true);
    }

    /** Loaded adapters with completions waiting for a batch row, sorted by name. */
    public List<String> waiting() {
        return inUse(false);
    }

    private synchronized List<String> inUse(boolean running) {
        TreeSet<String> out = new TreeSet<>();
        for (Adapter a : loaded.values()) {
            if ((running ? a.running : a.waiting).get() > 0) {
                out.add(a.name);
            }
        }
        return new ArrayList<>(out);
    }

    /** Adapters loaded at once at most (vLLM's max_lora). */
    public int max() {
        return max;
    }

    /** Whether this engine can serve adapters at all (else {@link #load} says why not). */
    public boolean supported() {
        return unsupported == null;
    }

    /** File bytes of the adapters loaded now. */
    public synchronized long bytes() {
        return loaded.values().stream().mapToLong(a -> a.bytes).sum();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no reason given";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** Frees every adapter nobody uses; those in use go with their last sequence. */
    @Override
    public synchronized void close() {
        for (Adapter a : loaded.values()) {
            retire(a);
        }
        loaded.clear();
    }
}
