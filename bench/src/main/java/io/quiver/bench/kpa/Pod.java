package io.quiver.bench.kpa;

import java.util.PriorityQueue;

/** One simulated pod: starting until its cold start is over, then ready; draining pods take no new requests. */
final class Pod {
    final double createdAt;
    final double readyAt;
    boolean draining;
    /** End times of the requests it runs. */
    final PriorityQueue<Double> running = new PriorityQueue<>();

    Pod(double now, double coldStart) {
        this.createdAt = now;
        this.readyAt = now + coldStart;
    }

    boolean ready(double now) {
        return now >= readyAt;
    }

    boolean accepts(double now, int cap) {
        return ready(now) && !draining && running.size() < cap;
    }

    /** Finishes requests that end by {@code now}; returns how many. */
    int finish(double now) {
        int done = 0;
        while (!running.isEmpty() && running.peek() <= now) {
            running.poll();
            done++;
        }
        return done;
    }

    boolean gone() {
        return draining && running.isEmpty();
    }
}
