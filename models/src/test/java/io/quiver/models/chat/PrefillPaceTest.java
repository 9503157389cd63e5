package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The paced chunk against a cost model of the steps: a fixed part per prefill run and a part per token. */
class PrefillPaceTest {
    private static final long DECODE = 40_000_000;

    /** A prefill run of {@code tokens}: 30 ms plus 2 ms a token, as a long prompt's late chunks on two cores. */
    private static long prefillNanos(int tokens) {
        return 30_000_000L + 2_000_000L * tokens;
    }

    @Test
    void theChunkSettlesWhereTheStepTakesTheStallItIsAllowed() {
        PrefillPace pace = new PrefillPace(256, 1.5);
        assertEquals(PrefillPace.MIN_TOKENS, pace.tokens(), "it starts small: the first stall is a short one");
        for (int step = 0; step < 40; step++) {
            pace.decoded(DECODE);
            int chunk = pace.tokens();
            pace.prefilled(chunk, prefillNanos(chunk));
        }
        // 30 ms + 2 ms * n = 1.5 * 40 ms  =>  n = 15; the floor is 16.
        assertEquals(PrefillPace.MIN_TOKENS, pace.tokens());
        PrefillPace roomier = new PrefillPace(256, 4);
        for (int step = 0; step < 40; step++) {
            roomier.decoded(DECODE);
            roomier.prefilled(roomier.tokens(), prefillNanos(roomier.tokens()));
        }
        // 30 ms + 2 ms * n = 160 ms  =>  n = 65.
        int settled = roomier.tokens();
        assertTrue(settled >= 63 && settled <= 66, "settled at " + settled);
        assertTrue(prefillNanos(settled) <= 4.1 * DECODE);
    }

    @Test
    void itGrowsAtMostTwofoldAStepAndNeverPastTheChunk() {
        PrefillPace pace = new PrefillPace(100, 2);
        pace.decoded(DECODE);
        pace.prefilled(16, 1_000_000);
        assertEquals(32, pace.tokens(), "a cheap step doubles the chunk, no more");
        for (int i = 0; i < 10; i++) {
            pace.prefilled(pace.tokens(), 1_000_000);
        }
        assertEquals(100, pace.tokens());
    }

    @Test
    void onlyAStepThatUsedItsWholeBudgetTeachesIt() {
        PrefillPace pace = new PrefillPace(256, 2);
        pace.decoded(DECODE);
        pace.prefilled(16, 10_000_000);
        int before = pace.tokens();
        pace.prefilled(3, 200_000_000);
        assertEquals(before, pace.tokens(), "a prompt's short last chunk is not a token's price");
    }

    @Test
    void offItIsTheWholeChunkAndWithoutADecodeStepItWaits() {
        assertEquals(256, new PrefillPace(256, 0).tokens());
        PrefillPace pace = new PrefillPace(256, 2);
        pace.prefilled(16, 1);
        assertEquals(PrefillPace.MIN_TOKENS, pace.tokens(), "no decode time to compare with yet");
        assertEquals(8, new PrefillPace(8, 2).tokens(), "a chunk under the floor is the floor");
        assertThrows(IllegalArgumentException.class, () -> new PrefillPace(8, -1));
    }
}
