package io.quiver.models.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** How collected inputs are cut into ONNX Runtime batches. */
class EncoderBatchesTest {

    @Test
    void equalLengthsFillBatchesUpToTheLimit() {
        int[] lengths = new int[10];
        Arrays.fill(lengths, 12);
        List<int[]> batches = EncoderBatcher.batches(lengths, 4);
        assertEquals(List.of(4, 4, 2), batches.stream().map(b -> b.length).toList());
    }

    @Test
    void mixedLengthsAreGroupedByLength() {
        int[] lengths = {66, 22, 31, 26, 40, 66, 21, 44};
        List<int[]> batches = EncoderBatcher.batches(lengths, 32);
        // 21, 22, 26, 31 (124 padded for 100 real) | 40, 44 | 66, 66, as indices into lengths
        assertEquals(3, batches.size());
        assertArrayEquals(new int[] {6, 1, 3, 2}, batches.get(0));
        assertArrayEquals(new int[] {4, 7}, batches.get(1));
        assertArrayEquals(new int[] {0, 5}, batches.get(2));
    }

    @Test
    void everyInputRunsOnceAndPaddingStaysWithinAQuarter() {
        Random random = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            int[] lengths = random.ints(1 + random.nextInt(40), 1, 257).toArray();
            int maxBatch = 1 + random.nextInt(16);
            List<int[]> batches = EncoderBatcher.batches(lengths, maxBatch);
            int[] seen = new int[lengths.length];
            for (int[] batch : batches) {
                assertTrue(batch.length >= 1 && batch.length <= maxBatch);
                long tokens = 0;
                int longest = 0;
                for (int i : batch) {
                    seen[i]++;
                    tokens += lengths[i];
                    longest = Math.max(longest, lengths[i]);
                }
                assertTrue(batch.length == 1 || (long) batch.length * longest * 4 <= tokens * 5,
                        "padding over a quarter in " + Arrays.toString(batch));
            }
            int[] once = new int[lengths.length];
            Arrays.fill(once, 1);
            assertArrayEquals(once, seen);
        }
    }
}
