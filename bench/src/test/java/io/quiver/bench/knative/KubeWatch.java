package io.quiver.bench.knative;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A kubectl watch ({@code get -w --output-watch-events -o json}) read as it streams, each event stamped with the
 * moment it arrived here: the API server's own timestamps have whole seconds, these have the milliseconds that
 * the parts of a cold start are made of.
 */
final class KubeWatch implements AutoCloseable {
    /** One watch event; {@code at} is when this process read it. */
    record Event(Instant at, String type, JsonNode object) {
        String name() {
            return object.path("metadata").path("name").asText();
        }
    }

    private final Process process;
    private final List<Event> events = new ArrayList<>();
    private final Thread reader;

    KubeWatch(Cluster cluster, String... selection) throws IOException {
        List<String> args = new ArrayList<>(List.of("get"));
        args.addAll(List.of(selection));
        args.addAll(List.of("--watch", "--output-watch-events", "-o", "json"));
        process = new ProcessBuilder(cluster.kubectlCommand(args.toArray(String[]::new)))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        reader = Thread.ofPlatform().daemon().name("watch " + String.join(" ", selection)).start(this::read);
    }

    private void read() {
        try (MappingIterator<JsonNode> it = Cluster.JSON.readerFor(JsonNode.class).readValues(process.getInputStream())) {
            while (it.hasNextValue()) {
                JsonNode e = it.nextValue();
                synchronized (this) {
                    events.add(new Event(Instant.now(), e.path("type").asText(), e.path("object")));
                    notifyAll();
                }
            }
        } catch (IOException | RuntimeException closed) {
            // the watch ends when it is closed
        }
    }

    synchronized List<Event> events() {
        return List.copyOf(events);
    }

    /** The first event, received already or within the timeout, that matches. */
    synchronized Event await(String what, Duration timeout, Predicate<Event> match) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        while (true) {
            for (; seen < events.size(); seen++) {
                if (match.test(events.get(seen))) {
                    return events.get(seen);
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError(what + " not seen within " + timeout + "; last events: "
                        + events.subList(Math.max(0, events.size() - 3), events.size()).stream()
                        .map(e -> e.at() + " " + e.type() + " " + e.name()).toList());
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** The first event at or after {@code from} that matches, if any has arrived. */
    synchronized Optional<Event> first(Instant from, Predicate<Event> match) {
        return events.stream().filter(e -> !e.at().isBefore(from)).filter(match).findFirst();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        reader.join(Duration.ofSeconds(5));
    }
}
