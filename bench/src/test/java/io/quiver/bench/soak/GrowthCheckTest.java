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
                """;
        ProcessSample s = ProcessSampler.sample(1, 0, metrics);
        assertEquals(2.0, s.heapMb(), 1e-9, "the old generation, when the collector has one");
        String noGenerations = "jvm_memory_used_bytes{area=\"heap\",id=\"ZHeap\"} 3145728.0\n";
        assertEquals(3.0, ProcessSampler.sample(1, 0, noGenerations).heapMb(), 1e-9);
        assertEquals(42, s.threads());
        ProcessSample self = ProcessSampler.sample(1, ProcessHandle.current().pid(), null);
        assertTrue(self.rssMb() > 0 && self.threads() > 0 && self.openFiles() > 0);
    }
}
