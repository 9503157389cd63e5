package io.quiver.runtime.config;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.quiver.gpu.ByteSize;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The one reading of Quiver's settings that both the launch (which must guess the models before the framework
 * reads its configuration) and the framework's configuration use: every known key with its allowed values, and the
 * mapping of environment variables onto keys. A key or value outside these fails the start with one line.
 *
 * <p>Environment names: {@code QUIVER_} + the key in upper case with {@code .} and {@code -} as {@code _}. A model's
 * keys are {@code QUIVER_MODELS_<NAME>_<KEY>}: the key is matched from the end among the model keys, and the rest is
 * the served name in lower case with {@code _} as {@code -} ({@code QUIVER_MODELS_MY_EMBED_PATH} sets
 * {@code quiver.models.my-embed.path}). So a name set through the environment has lower-case letters, digits and
 * {@code -} only.
 */
public final class Settings {
    public static final String PREFIX = "quiver.";
    static final String ENV_PREFIX = "QUIVER_";
    static final String MODELS = "models.";
    /** Read by the build and the fixture scripts, never by the server: allowed beside the server's own. */
    static final java.util.Set<String> TOOLING = java.util.Set.of("QUIVER_SMOLLM2_DIR", "QUIVER_VENV",
            "QUIVER_PYTHON", "QUIVER_R1_SHAPE_DIR", "QUIVER_R1_GGUF_DIR", "QUIVER_PEERS_DIR");

    /** A key's allowed values, as a check and the words that say them. */
    record Rule(Predicate<String> valid, String allowed) {
    }

    /** Keys under {@code quiver.}; mirrors {@link QuiverConfig} (a test checks). */
    static final Map<String, Rule> KEYS = new LinkedHashMap<>();
    /** Keys under {@code quiver.models.<name>.}; mirrors {@link QuiverConfig.Model} (a test checks). */
    static final Map<String, Rule> MODEL_KEYS = new LinkedHashMap<>();

    static {
        Rule any = new Rule(v -> true, "any text");
        KEYS.put("api-key", any);
        KEYS.put("max-body-size", new Rule(v -> new MemorySizeConverter().convert(v).asLongValue() > 0,
                "a size above 0 such as 8M or 512K"));
        KEYS.put("device", new Rule(Pattern.compile("auto|cpu|cuda(:\\d+)?").asMatchPredicate(),
                "auto, cpu, cuda or cuda:N"));
        KEYS.put("cache-dir", any);
        KEYS.put("reasoning-field", new Rule(Pattern.compile("reasoning|reasoning_content|both").asMatchPredicate(),
                "reasoning, reasoning_content or both"));
        KEYS.put("graph-cache", new Rule(Pattern.compile("auto|read-write|read-only|off").asMatchPredicate(),
                "auto, read-write, read-only or off"));
        KEYS.put("concurrency.max", atLeast(1));
        KEYS.put("concurrency.queue", atLeast(0));
        KEYS.put("concurrency.queue-timeout", duration(Duration.ZERO));
        KEYS.put("concurrency.reject-status", new Rule(v -> v.equals("503") || v.equals("429"), "503 or 429"));
        KEYS.put("concurrency.average-window", duration(Duration.ofSeconds(1)));
        KEYS.put("shutdown.grace", duration(Duration.ZERO));
        KEYS.put("stream.keep-alive", duration(Duration.ofMillis(1)));
        KEYS.put("stream.buffer", atLeast(1));
        KEYS.put("stream.stall-timeout", duration(Duration.ofMillis(1)));
        KEYS.put("request-timeout", duration(Duration.ofMillis(1)));
        KEYS.put("gpu.memory-budget", size());
        KEYS.put("gpu.memory-utilization", new Rule(v -> {
            double d = Double.parseDouble(v);
            return d > 0 && d <= 1;
        }, "a fraction above 0 and at most 1"));
        KEYS.put("gpu.memory-reserve", size());
        KEYS.put("gpu.on-insufficient-memory", new Rule(v -> v.equals("fail") || v.equals("cpu"), "fail or cpu"));
        KEYS.put("cpu.spin-wait", new Rule(v -> v.equals("true") || v.equals("false"), "true or false"));
        KEYS.put("images.max-native-steps", atLeast(1));
        KEYS.put("access-log", new Rule(v -> v.equals("true") || v.equals("false"), "true or false"));
        KEYS.put("events.auth", new Rule(v -> v.equals("api-key") || v.equals("none"), "api-key or none"));
        KEYS.put("structured-outputs.max-states", atLeast(1));
        KEYS.put("structured-outputs.max-repeat", atLeast(1));
        KEYS.put("structured-outputs.cache-size", new Rule(v -> new MemorySizeConverter().convert(v)
                .asLongValue() > 0, "a size above 0 such as 128M or 512K"));
        KEYS.put("structured-outputs.compile-timeout", duration(Duration.ofMillis(1)));
        KEYS.put("structured-outputs.compile-threads", atLeast(1));
        MODEL_KEYS.put("path", new Rule(v -> !v.isBlank(), "a model folder or embedded:<name>"));
        MODEL_KEYS.put("kind", new Rule(Pattern.compile("(?i)embedding|classifier|reranker|chat|diffusion")
                .asMatchPredicate(), "embedding, classifier, reranker, chat or diffusion"));
        MODEL_KEYS.put("max-batch", atLeast(1));
        MODEL_KEYS.put("max-batch-delay", duration(Duration.ZERO));
        MODEL_KEYS.put("concurrent-batches", atLeast(1));
        MODEL_KEYS.put("onnx-file", any);
        MODEL_KEYS.put("context-length", atLeast(1));
        MODEL_KEYS.put("chat-template", any);
        MODEL_KEYS.put("reasoning", new Rule(v -> v.equals("true") || v.equals("false"), "true or false"));
        MODEL_KEYS.put("prefill-chunk", atLeast(1));
        MODEL_KEYS.put("prefill-stall", new Rule(Pattern.compile("\\d{1,3}(\\.\\d+)?").asMatchPredicate(),
                "0 (off) or a positive number such as 1.5"));
        MODEL_KEYS.put("kv-cache-size", new Rule(v -> new MemorySizeConverter().convert(v).asLongValue() > 0,
                "a size above 0 such as 8G or 512M"));
        MODEL_KEYS.put("prefix-caching", new Rule(v -> v.equals("true") || v.equals("false"), "true or false"));
        MODEL_KEYS.put("adapters", new Rule(v -> Adapters.parse(v) != null,
                "comma-separated name=file pairs, each name letters, digits, '.', '_' or '-'"));
        MODEL_KEYS.put("max-adapters", atLeast(0));
    }

    private Settings() {
    }

    /** Thrown for an unknown key or a value outside its allowed ones; the message is the one line to log. */
    public static final class Invalid extends IllegalArgumentException {
        Invalid(String message) {
            super(message);
        }
    }

    private static Rule atLeast(int min) {
        return new Rule(v -> Integer.parseInt(v) >= min, "a whole number of at least " + min);
    }

    private static Rule duration(Duration min) {
        return new Rule(v -> DurationConverter.parseDuration(v).compareTo(min) >= 0,
                "a duration of at least " + (min.isZero() ? "0" : min.toMillis() + "ms") + " such as 30s or 500ms");
    }

    private static Rule size() {
        return new Rule(v -> ByteSize.parse(v, "size") >= 0, "a size such as 8Gi, 8192Mi or a number of bytes");
    }

    /**
     * The {@code quiver.*} settings in environment variables, by key; an unknown {@code QUIVER_*} name throws.
     * Values are checked by {@link #check}.
     */
    public static Map<String, String> fromEnvironment(Map<String, String> env) {
        Map<String, String> keys = new LinkedHashMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && !TOOLING.contains(name)) {
                keys.put(keyOf(name), value);
            }
        });
        return keys;
    }

    /** The settings the launch can see, before the framework reads its own: system properties over env. */
    public static Map<String, String> atLaunch(Map<String, String> env, java.util.Properties system) {
        Map<String, String> keys = fromEnvironment(env);
        system.stringPropertyNames().stream().filter(k -> k.startsWith(PREFIX))
                .forEach(k -> keys.put(k, system.getProperty(k)));
        keys.forEach(Settings::check);
        return keys;
    }

    /** Checks every {@code quiver.*} key the framework's configuration holds, and every {@code QUIVER_*} name. */
    public static void checkAll(org.eclipse.microprofile.config.Config config, Map<String, String> env) {
        fromEnvironment(env).forEach(Settings::check);
        for (String key : config.getPropertyNames()) {
            // The framework lists environment variables under guessed dotted names: they were checked above.
            String source = config.getConfigValue(key).getSourceName();
            if (key.startsWith(PREFIX) && (source == null || !source.startsWith("EnvConfigSource"))) {
                check(key, config.getConfigValue(key).getValue());
            }
        }
    }

    /** The key an environment variable sets. */
    static String keyOf(String env) {
        String rest = env.substring(ENV_PREFIX.length());
        String models = envName(MODELS);
        if (rest.startsWith(models)) {
            String modelPart = rest.substring(models.length());
            String key = MODEL_KEYS.keySet().stream().sorted(Comparator.comparingInt(String::length).reversed())
                    .filter(k -> modelPart.endsWith("_" + envName(k)) && modelPart.length() > envName(k).length() + 1)
                    .findFirst().orElseThrow(() -> new Invalid(env + " is not a Quiver setting: a model's keys are "
                            + "QUIVER_MODELS_<NAME>_ and one of " + String.join(", ", MODEL_KEYS.keySet().stream()
                            .map(Settings::envName).toList())));
            String name = modelPart.substring(0, modelPart.length() - envName(key).length() - 1);
            return PREFIX + MODELS + name.toLowerCase(java.util.Locale.ROOT).replace('_', '-') + "." + key;
        }
        return KEYS.keySet().stream().filter(k -> envName(k).equals(rest)).findFirst().map(k -> PREFIX + k)
                .orElseThrow(() -> new Invalid(env + " is not a Quiver setting" + suggestion(rest)));
    }

    /**
     * Checks one setting by its key ({@code quiver.…}); throws naming the key and its allowed values. A value that
     * holds an expression is checked once the framework has expanded it.
     */
    public static void check(String key, String value) {
        if (!key.startsWith(PREFIX)) {
            return;
        }
        String rest = key.substring(PREFIX.length());
        Rule rule;
        if (rest.startsWith(MODELS)) {
            int dot = rest.lastIndexOf('.');
            rule = dot > MODELS.length() ? MODEL_KEYS.get(rest.substring(dot + 1)) : null;
            if (rule == null) {
                throw new Invalid(key + " is not a Quiver setting: a model's keys are quiver.models.<name>. and one "
                        + "of " + String.join(", ", MODEL_KEYS.keySet()));
            }
        } else {
            rule = KEYS.get(rest);
            if (rule == null) {
                throw new Invalid(key + " is not a Quiver setting" + suggestion(envName(rest)));
            }
        }
        if (value == null || value.contains("${")) {
            return;
        }
        boolean valid;
        try {
            valid = rule.valid().test(value.strip());
        } catch (RuntimeException e) {
            valid = false;
        }
        if (!valid) {
            throw new Invalid(key + " (" + envOf(key) + ") is '" + value + "'; allowed: " + rule.allowed());
        }
    }

    /** The environment variable that sets a key. */
    static String envOf(String key) {
        return ENV_PREFIX + envName(key.substring(PREFIX.length()));
    }

    private static String envName(String key) {
        return key.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The closest known name, for a typo. */
    private static String suggestion(String envRest) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : KEYS.keySet()) {
            int d = distance(envRest, envName(k));
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        String known = "; the keys are " + String.join(", ", KEYS.keySet()) + " and models.<name>.*";
        return bestDistance <= 3 ? " (did you mean " + ENV_PREFIX + envName(best) + " / " + PREFIX + best + "?)"
                + known : known;
    }

    private static int distance(String a, String b) {
        int[] row = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            row[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int up = row[j];
                row[j] = Math.min(Math.min(row[j] + 1, row[j - 1] + 1),
                        diagonal + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
                diagonal = up;
            }
        }
        return row[b.length()];
    }
}
