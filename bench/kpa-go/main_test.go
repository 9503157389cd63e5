package main

import (
	"math"
	"testing"
	"time"

	"knative.dev/serving/pkg/autoscaler/scaling"
)

func defaults() *scaling.DeciderSpec {
	return &scaling.DeciderSpec{MaxScaleUpRate: 1000, MaxScaleDownRate: 2, ScalingMetric: "concurrency",
		TargetValue: 8 * 0.7, TotalValue: 8, TargetBurstCapacity: 211, ActivatorCapacity: 100,
		PanicThreshold: 2, StableWindow: 60 * time.Second, InitialScale: 1, Reachable: true}
}

func trace(parts ...[2]float64) []float64 {
	var load []float64
	for _, p := range parts {
		for i := 0; i < int(p[0]); i++ {
			load = append(load, p[1])
		}
	}
	return load
}

// A step to 40 in flight at a target of 8 x 70 %: panic mode asks for ceil(40 / 5.6) = 8 pods within a few
// ticks (not after the 60 s stable window), holds them while the load lasts, and scales to 0 after it.
func TestAStepPanicsUpToTheTargetAndBackToZero(t *testing.T) {
	load := trace([2]float64{10, 0}, [2]float64{60, 40}, [2]float64{120, 0})
	decisions := simulate(load, nil, defaults(), 6*time.Second, 0, 2*time.Second)
	want := int(math.Ceil(40 / 5.6))
	reached := -1.0
	for _, d := range decisions {
		if !d.valid {
			t.Fatalf("t=%v: invalid scale result", d.t)
		}
		if d.t > 10 && d.t <= 70 && d.desired > want {
			t.Fatalf("t=%v: %d pods, more than %d", d.t, d.desired, want)
		}
		if reached < 0 && d.desired == want {
			reached = d.t
		}
	}
	if reached < 0 || reached > 20 {
		t.Fatalf("reached %d pods at t=%v, want within 10 s of the step", want, reached)
	}
	if last := decisions[len(decisions)-1]; last.desired != 0 {
		t.Fatalf("still %d pods at the end", last.desired)
	}
}

func TestSteadyLoadBelowOnePodsTargetKeepsOnePod(t *testing.T) {
	decisions := simulate(trace([2]float64{120, 3}), nil, defaults(), 6*time.Second, 0, 2*time.Second)
	for _, d := range decisions[len(decisions)/2:] {
		if d.desired != 1 {
			t.Fatalf("t=%v: %d pods for a steady 3 in flight", d.t, d.desired)
		}
	}
}
