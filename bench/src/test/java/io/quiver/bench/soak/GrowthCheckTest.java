package io.quiver.bench.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GrowthCheckTest {

    private static List<ProcessSample> samples(double rssSlope, int threadSlope) {
        List<ProcessSample> s = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            double heapSaw = 100 + (i % 3) * 50; // sawtooth with a flat floor
            s.add(new ProcessSample(i * 10, 500 + rssSlope * i, heapSaw, 40 + threadSlope * i, 60));
        }
        return s;
    }

    @Test
    void flatSeriesPassesDespiteAHeapSawtooth() {
        GrowthCheck.Verdict v = GrowthCheck.defaults().check(samples(0, 0));
        assertTrue(v.ok(), v.failures().toString());
        assertEquals(0.0, v.growth().get("rss_percent"), 1e-9);
        assertEquals(0.0, v.growth().get("heap_percent"), 1e-9);
    }

    @Test
    void steadyRssAndThreadGrowthFail() {
        GrowthCheck.Verdict v = GrowthCheck.defaults().check(samples(10, 1));
        assertFalse(v.ok());
        assertEquals(2, v.failures().size(), v.failures().toString());
        assertTrue(v.failures().get(0).startsWith("rss grew"));
        assertTrue(v.failures().get(1).startsWith("threads grew by 16"));
    }

    /** A chat soak: 100 decode steps between samples, {@code kbPerStep(i)} allocated per step at sample i. */
    private static List<ProcessSample> chat(java.util.function.IntToDoubleFunction kbPerStep) {
        List<ProcessSample> s = new ArrayList<>();
        double allocated = 1000;
        for (int i = 0; i < 30; i++) {
            allocated += 100 * kbPerStep.applyAsDouble(i) / 1024;
            s.add(new ProcessSample(i * 10, 500, 100, 40, 60, allocated, 100.0 * i));
        }
        return s;
    }

    @Test
    void allocationPerDecodeStepIsComparedFirstThirdToLast() {
        GrowthCheck.Verdict flat = GrowthCheck.defaults().withMinDecodeSteps(2_000).check(chat(i -> 12.0));
        assertTrue(flat.ok(), flat.failures().toString());
        assertEquals(12.0, flat.levels().get("allocation_kb_per_step_first"), 1e-6);
        assertEquals(12.0, flat.levels().get("allocation_kb_per_step_last"), 1e-6);
        assertEquals(2_900.0, flat.levels().get("decode_steps"), 1e-9);

        GrowthCheck.Verdict growing = GrowthCheck.defaults().check(chat(i -> 12.0 + i));
        assertFalse(growing.ok());
        assertTrue(growing.failures().getFirst().startsWith("allocation per decode step grew"),
                growing.failures().toString());
    }

    @Test
    void aSoakWithTooFewDecodeStepsIsTooShortToTell() {
        GrowthCheck.Verdict v = GrowthCheck.defaults().withMinDecodeSteps(10_000).check(chat(i -> 12.0));
        assertEquals(List.of("2900 decode steps in all (need 10000): run longer"), v.failures());
    }

    @Test
    void tooFewSamplesIsAFailureNotASilentPass() {
        assertFalse(GrowthCheck.defaults().check(samples(0, 0).subList(0, 5)).ok());
    }

    @Test
    void prometheusHeapAndProcReadingsParse() {
        String metrics = """
                # TYPE jvm_memory_used_bytes gauge
                jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1048576.0
                jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 2097152.0
                jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 9.0E7
                jvm_threads_live_threads 42.0
                jvm_gc_memory_allocated_bytes_total 5242880.0
                quiver_batch_size_count{model="a",revision="r"} 1200.0
                quiver_batch_size_count{model="b",revision="r"} 34.0
                quiver_batch_size_sum{model="a",revision="r"} 9600.0
                """;
        ProcessSample s = ProcessSampler.sample(1, 0, metrics);
        assertEquals(2.0, s.heapMb(), 1e-9, "the old generation, when the collector has one");
        String noGenerations = "jvm_memory_used_bytes{area=\"heap\",id=\"ZHeap\"} 3145728.0\n";
        assertEquals(3.0, ProcessSampler.sample(1, 0, noGenerations).heapMb(), 1e-9);
        assertEquals(42, s.threads());
        assertEquals(5.0, s.allocatedMb(), 1e-9);
        assertEquals(1234.0, s.decodeSteps(), 1e-9, "every chat model's steps");
        assertEquals(-1.0, ProcessSampler.sample(1, 0, noGenerations).decodeSteps(), "no chat model: not read");
        ProcessSample self = ProcessSampler.sample(1, ProcessHandle.current().pid(), null);
        assertTrue(self.rssMb() > 0 && self.threads() > 0 && self.openFiles() > 0);
    }
}
