package io.quiver.runtime.api.chat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.quiver.models.chat.Completions;
import io.quiver.models.chat.FinishReason;
import io.quiver.models.chat.Generation;
import io.quiver.runtime.api.ApiException;
import io.quiver.runtime.api.Lease;
import io.quiver.runtime.api.chat.GenerationEvents.Done;
import io.quiver.runtime.api.chat.GenerationEvents.Event;
import io.quiver.runtime.api.chat.GenerationEvents.Failed;
import io.quiver.runtime.api.chat.GenerationEvents.Scored;
import io.quiver.runtime.api.chat.GenerationEvents.Text;
import io.quiver.runtime.config.QuiverConfig;
import io.quiver.runtime.metrics.GenerationMeters;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Writes a request's completions as server-sent events: the opening chunks, one chunk per delta, a finish chunk
 * per choice, the wire's ending (the usage chunk when asked), then its end ({@code data: [DONE]} for OpenAI's). The wire's
 * keep-alive (a comment line for OpenAI's) keeps idle connections (and the proxies on the way) open during long
 * prefills or long silent reasoning. At the lease's deadline the completions are cancelled and the stream still
 * ends with their {@code abort} chunks and its end. A client that does
 * not keep up cannot hold its slot: past {@code quiver.stream.buffer} unread deltas, or a write blocked past
 * {@code quiver.stream.stall-timeout}, its work is cancelled and its response ended. Closes the lease.
 */
final class EventStream implements StreamingOutput {
    private static final Logger LOG = Logger.getLogger(EventStream.class);
    /** How long cancelled completions get to report their end before the stream ends them itself. */
    private static final Duration CANCEL_WAIT = Duration.ofSeconds(2);

    private final Lease lease;
    private final List<Generation> generations;
    private final GenerationEvents events;
    private final Wire wire;
    private final Wire.Header header;
    private final Duration keepAlive;
    private final Duration stallTimeout;
    private final boolean includeUsage;
    private final ObjectMapper json;
    private final GenerationMeters meters;
    private final byte[] keepAliveBytes;
    private final byte[] end;
    private StallGuard guard;
    private volatile Thread writer;

    EventStream(Lease lease, List<Generation> generations, GenerationEvents events, Wire wire, Wire.Header header,
                QuiverConfig.Stream settings, boolean includeUsage, ObjectMapper json, GenerationMeters meters) {
        this.lease = lease;
        this.generations = generations;
        this.events = events;
        this.wire = wire;
        this.header = header;
        this.keepAlive = settings.keepAlive();
        this.stallTimeout = settings.stallTimeout();
        this.includeUsage = includeUsage;
        this.json = json;
        this.meters = meters;
        this.keepAliveBytes = wire.keepAlive().getBytes(StandardCharsets.UTF_8);
        this.end = wire.end().getBytes(StandardCharsets.UTF_8);
        events.onOverflow(() -> abort(meters.slowReaders()));
    }

    /**
     * The client does not keep up: stop its work and free its slot. Interrupting the writer ends a write blocked on
     * the full socket (and otherwise its next wait), which leaves as if the client had gone; the response is ended
     * as it stands.
     */
    private void abort(Counter reason) {
        reason.increment();
        cancel();
        Thread blocked = writer;
        if (blocked != null) {
            blocked.interrupt();
        }
    }

    @Override
    public void write(OutputStream out) {
        Thread current = Thread.currentThread();
        writer = current;
        lease.onDisconnect(() -> {
            cancel();
            current.interrupt();
        });
        guard = new StallGuard(stallTimeout, () -> abort(meters.stalledReaders()));
        try {
            for (Object chunk : wire.opening(header, generations.size())) {
                send(out, chunk);
            }
            Completions completions = new Completions(generations.size());
            long deadline = lease.deadline();
            boolean expired = false;
            while (completions.open() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    if (expired) {
                        // The engine did not confirm the cancellation in time: end the open choices here.
                        for (int i = 0; i < completions.size(); i++) {
                            if (!completions.ended(i)) {
                                send(out, wire.finish(header, i, FinishReason.CANCELLED));
                            }
                        }
                        break;
                    }
                    expired = true;
                    cancel();
                    deadline = System.nanoTime() + CANCEL_WAIT.toNanos();
                    continue;
                }
                Event event = events.poll(Math.min(left, keepAlive.toNanos()));
                if (event == null) {
                    flush(out, keepAliveBytes);
                    continue;
                }
                if (event instanceof Failed f) {
                    // Mid-stream the status is sent: the failure becomes the stream's last event.
                    if (lease.failure(f.error()) instanceof ApiException api) {
                        send(out, wire.failure(header, api));
                    } else {
                        LOG.errorf(f.error(), "generation %s failed mid-stream", header.id());
                        send(out, wire.failure(header, new ApiException(500, "server_error", null, null,
                                "Generation failed; the server logged the cause", Map.of())));
                    }
                    flush(out, end);
                    cancel();
                    return;
                }
                events.addTo(completions, event);
                Object chunk = switch (event) {
                    case Scored p -> wire.prompt(header, p.index(), p.prompt());
                    case Text t -> wire.delta(header, t.index(), t.delta());
                    case Done d -> wire.finish(header, d.index(), d.reason());
                    case Failed f -> null;
                };
                if (chunk != null) {
                    send(out, chunk);
                }
            }
            Object ending = wire.ending(header, completions, includeUsage);
            if (ending != null) {
                send(out, ending);
            }
            flush(out, end);
            // A stream cut at the deadline still ends well-formed; its status says it timed out.
            lease.status(expired ? 504 : 200);
        } catch (IOException | InterruptedException e) {
            // The client went away: its completions leave the batch at the next step.
            cancel();
            lease.status(499);
        } finally {
            writer = null;
            guard.close();
            lease.close();
            Thread.interrupted();
        }
    }

    private void cancel() {
        generations.forEach(Generation::cancel);
    }

    private void send(OutputStream out, Object chunk) throws IOException {
        if (chunk instanceof List<?> chunks) {
            for (Object c : chunks) {
                send(out, c);
            }
            return;
        }
        String event = chunk instanceof Wire.Named named ? "event: " + named.type() + "\n" : "";
        flush(out, (event + "data: " + json.writeValueAsString(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    private void flush(OutputStream out, byte[] bytes) throws IOException {
        if (bytes.length > 0) {
            guard.write(out, bytes);
        }
    }
}
