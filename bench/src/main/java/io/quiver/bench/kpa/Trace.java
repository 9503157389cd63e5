package io.quiver.bench.kpa;

/**
 * Offered load over time: open-loop arrivals at a rate (requests/s), plus closed-loop clients that send their next
 * request as soon as the previous one ends (what {@code hey -c 50} does, as in the Knative autoscaling docs' test).
 */
public interface Trace {
    String name();

    double durationSeconds();

    /** Open-loop arrival rate at time t, requests per second. */
    double rate(double t);

    /** Closed-loop clients active at time t. */
    int clients(double t);

    /** Poisson arrivals at a constant rate. */
    static Trace steady(double rate, double seconds) {
        return new Simple("steady", seconds) {
            @Override
            public double rate(double t) {
                return rate;
            }
        };
    }

    /** A day compressed into {@code seconds}: zero at night, peak at noon (sin²), so scale-to-zero shows. */
    static Trace diurnal(double peakRate, double seconds) {
        return new Simple("diurnal", seconds) {
            @Override
            public double rate(double t) {
                double s = Math.sin(Math.PI * t / seconds);
                double day = s * s;
                return day < 0.05 ? 0 : peakRate * day;
            }
        };
    }

    /** Idle, then {@code clients} concurrent clients for {@code burstSeconds}, then idle until the pods are gone. */
    static Trace burst(int clients, double idleBefore, double burstSeconds, double idleAfter) {
        return new Simple("burst", idleBefore + burstSeconds + idleAfter) {
            @Override
            public int clients(double t) {
                return t >= idleBefore && t < idleBefore + burstSeconds ? clients : 0;
            }
        };
    }

    abstract class Simple implements Trace {
        private final String name;
        private final double seconds;

        Simple(String name, double seconds) {
            this.name = name;
            this.seconds = seconds;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public double durationSeconds() {
            return seconds;
        }

        @Override
        public double rate(double t) {
            return 0;
        }

        @Override
        public int clients(double t) {
            return 0;
        }
    }
}
