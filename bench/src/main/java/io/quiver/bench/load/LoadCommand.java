package io.quiver.bench.load;

import io.quiver.bench.results.LevelResult;
import io.quiver.bench.results.LoadResult;
import io.quiver.bench.results.ResultsStore;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bench load}: a concurrency sweep against one route of a running server. */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Closed-loop load at each concurrency of a sweep; TTFT, ITL, e2e, tokens/s, errors by status")
public final class LoadCommand implements Callable<Integer> {

    @Option(names = "--url", defaultValue = "http://localhost:8080", description = "Server base URL")
    URI url;

    @Option(names = "--route", defaultValue = "chat", description = "chat | completions | embeddings | images")
    String route;

    @Option(names = "--model", description = "Model name sent in the body (omitted when absent)")
    String model;

    @Option(names = "--api-key", defaultValue = "${env:QUIVER_API_KEY}", description = "Bearer token")
    String apiKey;

    @Option(names = "--concurrency", split = ",", defaultValue = "1,2,4,8", description = "Sweep, e.g. 1,2,4,8")
    List<Integer> concurrency;

    @Option(names = "--duration", defaultValue = "30s", description = "Per level (e.g. 30s, 2m)")
    String duration;

    @Option(names = "--requests", defaultValue = "0", description = "Per level; > 0 stops after this many")
    long requests;

    @Option(names = "--warmup", defaultValue = "1", description = "Unrecorded requests per client before each level")
    int warmup;

    @Option(names = "--prompts", defaultValue = "short", description = "short | long | embed-long")
    String prompts;

    @Option(names = "--stream", negatable = true, defaultValue = "true", description = "Stream tokens (chat, completions)")
    boolean stream;

    @Option(names = "--max-tokens", defaultValue = "64", description = "Output tokens per request (ignore_eos)")
    int maxTokens;

    @Option(names = "--image-size", defaultValue = "64x64")
    String imageSize;

    @Option(names = "--image-steps", defaultValue = "0", description = "Diffusion steps (0: server default)")
    int imageSteps;

    @Option(names = "--response-format", description = "Chat: a response_format JSON object, e.g. "
            + "'{\"type\":\"json_object\"}' (structured outputs: the grammar mask's cost per token)")
    String responseFormat;

    @Option(names = "--label", defaultValue = "quiver", description = "Name of this run in the report")
    String label;

    @Option(names = "--results", defaultValue = ResultsStore.DEFAULT_ROOT, description = "Results root")
    Path results;

    @Option(names = "--timeout", defaultValue = "300s", description = "Per request")
    String timeout;

    @Override
    public Integer call() {
        Route r = Route.valueOf(route.toUpperCase().replace('-', '_'));
        boolean streaming = stream && r.generates();
        RequestSpec spec = new RequestSpec(r, model, streaming, maxTokens, imageSize, imageSteps)
                .withResponseFormat(responseFormat);
        PromptSet set = PromptSet.named(prompts, 42);
        OpenAiClient client = new OpenAiClient(url, apiKey, Durations.parse(timeout));
        String started = Instant.now().toString();
        List<LevelResult> levels = new ArrayList<>();
        for (int c : concurrency) {
            LevelResult level = ClosedLoop.run(c, Durations.parse(duration), requests, warmup,
                    i -> client.call(r, spec.body(set.get(i)), streaming));
            levels.add(level);
            System.out.println(LevelLine.format(level, r.generates()));
        }
        LoadResult result = new LoadResult("load", label, url.toString(), r.name().toLowerCase(), model, streaming,
                set.name(), maxTokens, started, levels);
        Path file = new ResultsStore(results).write("load-" + r.name().toLowerCase(), result);
        System.out.println("wrote " + file);
        return levels.stream().allMatch(l -> l.ok() > 0) ? 0 : 1;
    }

    /** Parses 30s, 2m, 1h, 500ms or ISO-8601. */
    public static final class Durations {
        private Durations() {
        }

        public static Duration parse(String text) {
            String t = text.trim().toLowerCase();
            if (t.startsWith("p")) {
                return Duration.parse(text);
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            if (Character.isDigit(t.charAt(t.length() - 1))) {
                return Duration.ofSeconds(Long.parseLong(t));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new IllegalArgumentException("not a duration: " + text);
            };
        }
    }
}
