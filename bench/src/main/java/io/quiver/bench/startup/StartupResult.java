package io.quiver.bench.startup;

import io.quiver.bench.results.SmallSample;
import java.util.List;
import java.util.Map;

/**
 * Startup runs of the packaged server, or of a peer server started the same way.
 *
 * @param label      the server and model, e.g. "Quiver r1 q4" or "llama-server r1 Q4_1"
 * @param server     "Quiver", or the peer's program (e.g. "llama-server")
 * @param precision  the weights' precision as the report shows it (fp32, fp16, q4, F16, Q4_1), or empty
 * @param graphCache Quiver's optimised-graph cache in these runs ({@code off}, {@code filled}: by an unmeasured
 *                   first start, {@code read-write}: each run starts with what earlier runs left), empty for a peer
 * @param pageCache  {@code warm}: the files as earlier starts left them in the page cache; {@code cold}: the page
 *                   cache emptied before each start
 * @param runs per run: {@code ready} (process start → readiness probe 200), {@code first_answer} (→ first inference
 *             answered), {@code first_request} (that request alone); for Quiver also the cold-start breakdown
 *             ({@code jvm}, {@code framework}, {@code model_load}, {@code warm_up}, see {@link StartupPhases}) and
 *             each phase the server reported ({@code log.<phase>}, {@code metric.<phase>}), in ms; its memory once it
 *             answered ({@code rss_mb}, {@code rss_anon_mb}, {@code rss_file_mb}, {@code rss_model_mb}, in MB, see
 *             {@link Residency})
 * @param summary the same keys over all runs
 */
public record StartupResult(String kind, String label, String server, String precision, String graphCache,
                            String pageCache, String command, String firstRequest, List<Map<String, Double>> runs,
                            Map<String, SmallSample> summary) {
}
