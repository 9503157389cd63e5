package io.quiver.runtime.api.images;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.quiver.models.ModelKind;
import io.quiver.models.diffusion.DiffusionWorker;
import io.quiver.models.diffusion.ImageRequest;
import io.quiver.runtime.api.ApiException;
import io.quiver.runtime.api.InferenceCall;
import io.quiver.runtime.api.images.ImagesProtocol.Image;
import io.quiver.runtime.api.images.ImagesProtocol.Request;
import io.quiver.runtime.api.images.ImagesProtocol.Response;
import io.quiver.runtime.metrics.QuiverMetrics;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Image generation under the pod cap: PNGs as {@code b64_json}; shared by the HTTP route and CloudEvents. The
 * server keeps no files, so {@code response_format: "url"} is refused with a 400 rather than answered with a link
 * that would not last.
 */
@ApplicationScoped
public class ImageGeneration {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,5})x(\\d{1,5})");

    private final InferenceCall call;
    private final QuiverMetrics metrics;

    public ImageGeneration(InferenceCall call, QuiverMetrics metrics) {
        this.call = call;
        this.metrics = metrics;
    }

    public Response generate(String route, Request request, HttpServerRequest http) {
        if (request == null) {
            throw ApiException.invalid(null, "A JSON request body is required");
        }
        String format = request.responseFormat() == null ? "b64_json" : request.responseFormat();
        if (!format.equals("b64_json")) {
            throw ApiException.invalid("response_format", "Only response_format 'b64_json' is supported; this server "
                    + "does not host image files");
        }
        ImageRequest image = toImageRequest(request);
        return call.run(route, request.model(), Set.of(ModelKind.DIFFUSION), http, model -> {
            // Size, steps and their product against the pod's memory: refused before a slot is asked for.
            model.engine(DiffusionWorker.class).pipeline().validate(image);
            return image;
        }, (model, checked) -> {
            DiffusionWorker worker = model.engine(DiffusionWorker.class);
            Tags tags = Tags.of("model", model.name());
            Counter steps = metrics.counter("quiver.denoising.steps", "Denoising steps (UNet evaluations) run",
                    tags);
            Timer latency = metrics.latency("quiver.image", "Time to generate one request's images", tags);
            long start = System.nanoTime();
            List<byte[]> pngs = InferenceCall.await(worker.submit(image, (step, total) -> steps.increment()));
            latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            Base64.Encoder base64 = Base64.getEncoder();
            return new Response(Instant.now().getEpochSecond(),
                    pngs.stream().map(png -> new Image(base64.encodeToString(png))).toList());
        });
    }

    private static ImageRequest toImageRequest(Request r) {
        Integer width = null;
        Integer height = null;
        if (r.size() != null && !r.size().equals("auto")) {
            Matcher m = SIZE.matcher(r.size());
            if (!m.matches()) {
                throw ApiException.invalid("size", "size must be WIDTHxHEIGHT in pixels (e.g. 512x512), was '"
                        + r.size() + "'");
            }
            width = Integer.parseInt(m.group(1));
            height = Integer.parseInt(m.group(2));
        }
        return new ImageRequest(r.prompt(), r.negativePrompt(), r.n() == null ? 1 : r.n(), width, height, r.seed(),
                r.steps(), r.guidanceScale(), r.scheduler());
    }
}
