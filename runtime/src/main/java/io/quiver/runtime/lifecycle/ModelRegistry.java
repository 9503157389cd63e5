package io.quiver.runtime.lifecycle;

import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quiver.gpu.Placement;
import io.quiver.models.CacheFolder;
import io.quiver.models.Engine;
import io.quiver.models.ModelKind;
import io.quiver.models.chat.ChatEngine;
import io.quiver.runtime.admission.Admission;
import io.quiver.runtime.api.ApiException;
import io.quiver.runtime.config.QuiverConfig;
import io.quiver.runtime.config.Settings;
import io.quiver.runtime.metrics.GatewayMetrics;
import io.quiver.runtime.metrics.QuiverMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Loads every configured model when the application starts (in parallel, off the startup thread, so the HTTP
 * server and probes are up meanwhile), warms each, and only then reports ready. A model that cannot load stops
 * the process with one line naming the file and the cause. Logs one line per phase with milliseconds.
 */
@ApplicationScoped
public class ModelRegistry {
    private static final Logger LOG = Logger.getLogger(ModelRegistry.class);

    private final QuiverConfig config;
    private final QuiverMetrics metrics;
    private final Admission admission;
    private final GatewayMetrics gateway;
    private final Map<String, ServedModel> models = new ConcurrentHashMap<>();
    private final Map<String, ModelSpec> specs;
    private volatile boolean ready;
    private volatile boolean stopping;
    private volatile Thread loader;

    public ModelRegistry(QuiverConfig config, QuiverMetrics metrics, Admission admission, GatewayMetrics gateway) {
        this.config = config;
        this.metrics = metrics;
        this.admission = admission;
        this.gateway = gateway;
        this.specs = ModelSpec.from(config);
    }

    void onStart(@Observes StartupEvent event) {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        // Packaged, the framework has started once main hears so (after the HTTP server binds, and after its own
        // "Listening on" line); in tests and dev mode this event is the nearest there is.
        CompletableFuture<Long> started = Launch.isFromMain() ? Launch.started()
                : CompletableFuture.completedFuture(System.currentTimeMillis());
        // The loader waits for this line, so that the phases are logged in the order they end.
        CompletableFuture<Void> frameworkLogged = started.thenAccept(at -> phase("framework", at - jvmStart,
                "JVM start to the HTTP server listening; Quarkus' 'started in' counts from its own start in main"));
        loader = Thread.ofPlatform().name("quiver-model-loader").start(() -> loadAll(jvmStart, frameworkLogged));
    }

    private void loadAll(long jvmStart, CompletableFuture<Void> started) {
        long first = Long.MAX_VALUE;
        long last;
        try (ExecutorService pool = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().name("quiver-load-", 0)
                .stackSize(ModelLoader.STACK_BYTES).factory())) {
            // Also what main could not see (application.properties, profiles), before anything uses a value.
            Settings.checkAll(ConfigProvider.getConfig(), System.getenv());
            ModelSpec.checkAdapterNames(specs);
            Path cacheDir = CacheFolder.open(Path.of(config.cacheDir()));
            ModelLoader.configureSessions(cacheDir, config.graphCache(), config.cpu().spinWait());
            ModelLoader loader = new ModelLoader(cacheDir, admission.max(), config.images().maxNativeSteps(),
                    config.concurrency().queueTimeout(), config.structuredOutputs().limits());
            DevicePlacement device = DevicePlacement.resolve(config);
            metrics.gpu(device.choice(), device.usage(), specs.keySet(), admission::busySeconds);
            List<Future<ServedModel>> loading = specs.values().stream()
                    .map(spec -> pool.submit(() -> load(loader, device, spec))).toList();
            for (Future<ServedModel> f : loading) {
                ServedModel m = f.get();
                if (m == null) {
                    continue;
                }
                models.put(m.name(), m);
                first = Math.min(first, m.loadStartNanos());
                admission.register(m.name());
                metrics.served(m.name(), m.kind(), admission.rejectStatus());
            }
            last = System.nanoTime();
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            LOG.errorf("startup failed: %s", cause.getMessage());
            LOG.debug("startup failure", cause);
            Quarkus.asyncExit(1);
            return;
        } finally {
            Preload.discardUnclaimed();
        }
        if (stopping) {
            return;
        }
        phase("models", (last - Math.min(first, last)) / 1_000_000,
                "from the first model's load, in main's preload or here, to the last one warm");
        // Ready means both: the models warm and the framework started (its "Listening on" line comes first).
        started.join();
        ready = true;
        phase("ready", System.currentTimeMillis() - jvmStart, "JVM start to ready, serving " + models.keySet());
    }

    private ServedModel load(ModelLoader loader, DevicePlacement device, ModelSpec spec) {
        Path folder = loader.folder(spec);
        ModelKind kind = loader.kind(spec, folder);
        Placement placement = device.place(spec, folder, kind, loader.podCap());
        LOG.infof("model %s settings: path %s, kind %s, graph %s, context length %s, max batch %d, batch delay %d ms, "
                + "concurrent batches %d, device %s", spec.name(), spec.path(), kind.name().toLowerCase(),
                spec.onnxFile().orElse("default"), spec.contextLength() > 0 ? spec.contextLength() : "from the model",
                spec.maxBatch(), spec.maxBatchDelay().toMillis(), spec.concurrentBatches(), placement);
        ModelLoader.Loaded loaded = loader.warmUp(loader.load(spec, folder, kind, placement));
        if (stopping) {
            if (loaded.log() != null) {
                loaded.log().close();
            }
            close(spec.name(), loaded.engine());
            LOG.infof("model %s loaded after the stop began: closed, not served", spec.name());
            return null;
        }
        if (loaded.log() != null) {
            loaded.log().warm(loaded.loadNanos(), loaded.warmNanos(), placement);
        }
        metrics.engine(spec.name(), loaded.engine());
        gateway.serve(spec.name(), loaded.engine(), () -> admission.waitingRows(spec.name()));
        double seconds = loaded.loadNanos() / 1e9;
        metrics.gauge("quiver.model.load.seconds", "Time to load a model, without warm-up (in main's preload, or "
                + "after the framework's start)", Tags.of("model", spec.name()), () -> seconds);
        metrics.gauge("quiver.model.warmup.seconds", "Time to warm a model up", Tags.of("model", spec.name()),
                () -> loaded.warmNanos() / 1e9);
        return new ServedModel(spec.name(), kind, loaded.engine(), Instant.now().getEpochSecond(), seconds,
                loaded.startNanos());
    }

    private void phase(String phase, long millis, String what) {
        LOG.infof("startup phase %s: %d ms (%s)", phase, millis, what);
        metrics.gauge("quiver.startup.seconds", "Startup time by phase", Tags.of("phase", phase), () -> millis / 1e3);
    }

    public boolean ready() {
        return ready;
    }

    public Collection<ServedModel> all() {
        return models.values();
    }

    public Set<String> configuredNames() {
        return specs.keySet();
    }

    /**
     * The model a request names, checked against the kinds the route serves. With no name, the only model of a
     * fitting kind is used, so a one-model Knative revision needs no {@code model} field.
     */
    public ServedModel resolve(String name, Set<ModelKind> kinds, String route) {
        requireReady();
        if (name == null || name.isBlank()) {
            List<ServedModel> fitting = models.values().stream().filter(m -> kinds.contains(m.kind())).toList();
            if (fitting.size() == 1) {
                return fitting.getFirst();
            }
            throw ApiException.invalid("model", fitting.isEmpty() ? "No model served here fits " + route
                    : "model is required; this server has several for " + route + ": " + names(fitting));
        }
        ServedModel model = models.get(name);
        if (model == null) {
            model = adapterTarget(name);
        }
        if (!kinds.contains(model.kind())) {
            throw ApiException.invalid("model", "The model '" + name + "' is a " + model.kind().name().toLowerCase()
                    + " model; " + route + " needs " + kinds.stream().map(k -> k.name().toLowerCase())
                    .collect(Collectors.joining(" or ")));
        }
        return model;
    }

    /** A 503 with Retry-After while the models load. */
    public void requireReady() {
        if (!ready) {
            throw new ApiException(503, "service_unavailable", null, "loading",
                    "The server is loading its models; retry shortly", Map.of("Retry-After", "1"));
        }
    }

    /**
     * A name that is not a model's: {@code <model>:<adapter>}, or an adapter's own name (adapter names are unique
     * across the models and never a model's name, so it names one model).
     */
    private ServedModel adapterTarget(String name) {
        int colon = name.lastIndexOf(':');
        if (colon > 0) {
            ServedModel base = models.get(name.substring(0, colon));
            String adapter = name.substring(colon + 1);
            if (base != null && base.engine() instanceof ChatEngine chat && chat.adapters().contains(adapter)) {
                return base.withAdapter(adapter, name);
            }
            throw ApiException.modelNotFound(name);
        }
        ServedModel base = adapterOwner(name);
        if (base == null) {
            throw ApiException.modelNotFound(name);
        }
        return base.withAdapter(name, name);
    }

    /** The chat model that holds an adapter of this name, or null. */
    public ServedModel adapterOwner(String adapter) {
        for (ServedModel m : models.values()) {
            if (m.engine() instanceof ChatEngine chat && chat.adapters().contains(adapter)) {
                return m;
            }
        }
        return null;
    }

    /** A served model by its own name, or null. */
    public ServedModel model(String name) {
        return models.get(name);
    }

    private static String names(List<ServedModel> models) {
        return models.stream().map(ServedModel::name).sorted().collect(Collectors.joining(", "));
    }

    /** Cancels the work every model holds, so that its requests are answered before the process exits. */
    public void cancelAll() {
        for (ServedModel m : models.values()) {
            if (m.engine() instanceof Engine engine) {
                engine.cancelAll();
            }
        }
    }

    /**
     * Closes every model, those still loading too. A model opens and warms up in native code (its warm-up prefill
     * runs on its engine's own thread), and the process must not exit under it: exiting tears down ONNX Runtime's
     * static state while the call still uses it, and the JVM dies of SIGSEGV instead of exiting 0. So the stop waits
     * for the loads in flight (at most the shutdown grace, as the drain's deadline allows), which close what they
     * opened instead of serving it.
     */
    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        Thread loading = loader;
        if (loading != null && loading.isAlive()) {
            LOG.info("shutdown: waiting for the models still loading to finish, to close them");
            try {
                if (!loading.join(config.shutdown().grace())) {
                    LOG.warnf("shutdown: models still loading after %s; exiting under them", config.shutdown().grace());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        models.values().forEach(m -> close(m.name(), m.engine()));
    }

    private static void close(String name, AutoCloseable engine) {
        try {
            engine.close();
        } catch (Exception e) {
            LOG.warnf("closing %s: %s", name, e.getMessage());
        }
    }
}
