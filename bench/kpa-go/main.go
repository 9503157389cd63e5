// Command kpa-decider runs Knative's own KPA decider (knative.dev/serving/pkg/autoscaler/scaling) over a
// per-second concurrency trace and prints the desired pod count at every decision, for comparison with the Java
// simulator (bench kpa). The decider is Knative's code, taken from the Go module proxy; what feeds it is ours: a
// MetricClient that records the trace second by second into Knative's window averages, as its collector records
// the queue-proxy reports it scrapes each second, and a ready-pod counter that brings pods up a startup delay after
// they were asked for.
//
// Trace: one line per second, "concurrency", "second,concurrency" (total in-flight requests of the revision) or
// "second,concurrency,ready": then the decider sees that many ready pods at a tick at the end of that second
// (what bench kpa's simulated pods were), instead of the harness's own pod counter; '#' starts a comment. Output: CSV "t,concurrency,stable,panic,ready,desired,excess_burst_capacity".
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"
	"k8s.io/apimachinery/pkg/types"

	"knative.dev/serving/pkg/autoscaler/aggregation"
	"knative.dev/serving/pkg/autoscaler/scaling"
)

func main() {
	cc := flag.Float64("container-concurrency", 8, "containerConcurrency: what one pod holds (the decider's TotalValue)")
	target := flag.Float64("target", 0, "autoscaling.knative.dev/target per pod (default: container-concurrency)")
	utilization := flag.Float64("target-utilization-percentage", 70, "autoscaling.knative.dev/target-utilization-percentage")
	stable := flag.Duration("stable-window", 60*time.Second, "stable window")
	panicPct := flag.Float64("panic-window-percentage", 10, "panic window, percent of the stable window")
	panicThreshold := flag.Float64("panic-threshold-percentage", 200, "panic threshold, percent")
	burst := flag.Float64("target-burst-capacity", 211, "target burst capacity (-1: unlimited)")
	up := flag.Float64("max-scale-up-rate", 1000, "max scale-up rate")
	down := flag.Float64("max-scale-down-rate", 2, "max scale-down rate")
	delay := flag.Duration("scale-down-delay", 0, "scale-down delay")
	activation := flag.Int("activation-scale", 1, "autoscaling.knative.dev/activation-scale")
	initial := flag.Int("initial-scale", 1, "initial scale (the decider's spec carries it; the reconciler applies it)")
	startup := flag.Duration("startup", 0, "time from a pod being asked for to it being ready")
	tick := flag.Duration("tick", 2*time.Second, "decision interval (Knative's tickInterval)")
	trace := flag.String("trace", "-", "trace file, - for stdin")
	flag.Parse()

	load, readyAt, err := readTrace(*trace)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kpa-decider:", err)
		os.Exit(1)
	}
	// pkg/reconciler/autoscaling/resources.ResolveMetricTarget: the annotation, never above containerConcurrency
	if *target <= 0 || (*cc > 0 && *target > *cc) {
		*target = *cc
	}
	spec := &scaling.DeciderSpec{
		MaxScaleUpRate:      *up,
		MaxScaleDownRate:    *down,
		ScalingMetric:       "concurrency",
		TargetValue:         *target * *utilization / 100,
		TotalValue:          *target,
		TargetBurstCapacity: *burst,
		ActivatorCapacity:   100,
		PanicThreshold:      *panicThreshold / 100,
		StableWindow:        *stable,
		ScaleDownDelay:      *delay,
		InitialScale:        int32(*initial),
		ActivationScale:     int32(*activation),
		Reachable:           true,
	}
	panicWindow := time.Duration(float64(*stable) * *panicPct / 100)
	fmt.Println("t,concurrency,stable,panic,ready,desired,excess_burst_capacity")
	for _, r := range simulate(load, readyAt, spec, panicWindow, *startup, *tick) {
		desired := "invalid"
		if r.valid {
			desired = strconv.Itoa(r.desired)
		}
		fmt.Printf("%.0f,%.6f,%.6f,%.6f,%d,%s,%d\n", r.t, r.concurrency, r.stable, r.panic, r.ready, desired, r.excess)
	}
}

// decision is one tick of the decider: what it saw and what it asked for.
type decision struct {
	t, concurrency, stable, panic float64
	ready, desired, excess        int
	valid                         bool
}

// simulate runs Knative's decider over the trace, one Scale every tick, feeding back the pods it asks for, or,
// with readyAt (one count per second of the trace), reporting those as the ready pods.
func simulate(load []float64, readyAt []int, spec *scaling.DeciderSpec, panicWindow, startup,
	tick time.Duration) []decision {
	start := time.Unix(0, 0)
	pods := &podCounter{startup: startup, start: start, given: readyAt}
	metrics := newTraceMetrics(load, start, spec.StableWindow, panicWindow)
	scaler := scaling.New(context.Background(), "default", "quiver", metrics, pods, spec)
	logger := zap.NewNop().Sugar()
	var out []decision
	end := start.Add(time.Duration(len(load)) * time.Second)
	for now := start.Add(tick); !now.After(end); now = now.Add(tick) {
		pods.now = now
		result := scaler.Scale(logger, now)
		s, p, _ := metrics.StableAndPanicConcurrency(types.NamespacedName{}, now)
		ready, _ := pods.ReadyCount()
		if result.ScaleValid {
			pods.ask(now, int(result.DesiredPodCount))
		}
		t := now.Sub(start).Seconds()
		out = append(out, decision{t: t, concurrency: load[int(t)-1], stable: s, panic: p, ready: ready,
			desired: int(result.DesiredPodCount), excess: int(result.ExcessBurstCapacity), valid: result.ScaleValid})
	}
	return out
}

// traceMetrics answers the decider's questions from the trace through Knative's own window averages
// (aggregation.TimedFloat64Buckets, 1 s buckets, the collector's default "linear" algorithm): each second of the
// trace is recorded as the collector records a scraped second, up to the time asked about.
type traceMetrics struct {
	load          []float64
	start         time.Time
	fed           int
	stable, panic *aggregation.TimedFloat64Buckets
}

func newTraceMetrics(load []float64, start time.Time, stable, panic time.Duration) *traceMetrics {
	return &traceMetrics{load: load, start: start,
		stable: aggregation.NewTimedFloat64Buckets(stable, time.Second),
		panic:  aggregation.NewTimedFloat64Buckets(panic, time.Second)}
}

func (m *traceMetrics) feed(now time.Time) {
	// Second i of the trace is [i, i+1): queue-proxy reports it at its end, and the collector records it then.
	for ; m.fed < len(m.load) && !m.start.Add(time.Duration(m.fed+1)*time.Second).After(now); m.fed++ {
		at := m.start.Add(time.Duration(m.fed+1) * time.Second)
		m.stable.Record(at, m.load[m.fed])
		m.panic.Record(at, m.load[m.fed])
	}
}

func (m *traceMetrics) StableAndPanicConcurrency(_ types.NamespacedName, now time.Time) (float64, float64, error) {
	m.feed(now)
	return m.stable.WindowAverage(now), m.panic.WindowAverage(now), nil
}

func (m *traceMetrics) StableAndPanicRPS(types.NamespacedName, time.Time) (float64, float64, error) {
	return 0, 0, nil
}

// podCounter is the revision's ready pods: every scale-up becomes ready startup after it was decided, a
// scale-down at once.
type podCounter struct {
	startup time.Duration
	start   time.Time
	given   []int
	now     time.Time
	ready   int
	pending []order
}

type order struct {
	at    time.Time
	count int
}

func (c *podCounter) ask(now time.Time, desired int) {
	if desired <= c.ready {
		c.ready, c.pending = desired, nil
		return
	}
	c.pending = append(c.pending, order{at: now.Add(c.startup), count: desired})
	c.settle()
}

func (c *podCounter) settle() {
	for len(c.pending) > 0 && !c.pending[0].at.After(c.now) {
		c.ready = c.pending[0].count
		c.pending = c.pending[1:]
	}
}

func (c *podCounter) ReadyCount() (int, error) {
	if c.given != nil {
		second := int(c.now.Sub(c.start)/time.Second) - 1
		if second >= 0 && second < len(c.given) {
			return c.given[second], nil
		}
		return 0, nil
	}
	c.settle()
	return c.ready, nil
}

func (c *podCounter) NotReadyCount() (int, error) {
	if len(c.pending) == 0 {
		return 0, nil
	}
	return c.pending[len(c.pending)-1].count - c.ready, nil
}

func readTrace(path string) ([]float64, []int, error) {
	var in io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, err
		}
		defer f.Close()
		in = f
	}
	var load []float64
	var ready []int
	lines := bufio.NewScanner(in)
	for n := 1; lines.Scan(); n++ {
		line := strings.TrimSpace(strings.SplitN(lines.Text(), "#", 2)[0])
		if line == "" {
			continue
		}
		fields := strings.Split(line, ",")
		v, err := strconv.ParseFloat(strings.TrimSpace(fields[min(len(fields), 2)-1]), 64)
		if err != nil {
			return nil, nil, fmt.Errorf("line %d: %q is no concurrency", n, line)
		}
		load = append(load, v)
		if len(fields) >= 3 {
			r, err := strconv.Atoi(strings.TrimSpace(fields[2]))
			if err != nil {
				return nil, nil, fmt.Errorf("line %d: %q is no ready pod count", n, line)
			}
			ready = append(ready, r)
		}
	}
	if len(load) == 0 {
		return nil, nil, fmt.Errorf("empty trace")
	}
	if ready != nil && len(ready) != len(load) {
		return nil, nil, fmt.Errorf("ready pods on %d of %d lines", len(ready), len(load))
	}
	return load, ready, lines.Err()
}
