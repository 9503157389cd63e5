package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.models.chat.SlotTable.Phase;
import io.quiver.models.chat.StepPlanner.Chunk;
import io.quiver.models.chat.StepPlanner.SlotView;
import io.quiver.models.chat.StepPlanner.StepPlan;
import io.quiver.models.chat.StepPlanner.Waiting;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The step's plan as a value: who leaves, who joins which slot, which chunks prefill, without a model. */
class StepPlannerTest {
    private static final StepPlanner PLANNER = new StepPlanner(new StepPlanner.Limits(8, true, 1_000));

    private static SlotView free(int id) {
        return new SlotView(id, Phase.FREE, 0, 0, false, 0, new int[0]);
    }

    private static SlotView idle(int id, long since, int... tokens) {
        return new SlotView(id, Phase.IDLE, tokens.length, 0, false, since, tokens);
    }

    private static SlotView busy(int id, Phase phase, int cached, int prompt, boolean ended, long since) {
        return new SlotView(id, phase, cached, prompt, ended, since, new int[cached]);
    }

    private static Waiting waiting(int length, int rows) {
        int[] prompt = new int[length];
        for (int i = 0; i < length; i++) {
            prompt[i] = 100 + i;
        }
        return new Waiting(prompt, rows, 0, false);
    }

    @Test
    void anIdleEngineHasNothingToDo() {
        StepPlan plan = PLANNER.plan(List.of(free(0), free(1)), List.of(), 0);
        assertTrue(plan.idle());
    }

    @Test
    void aLongPromptPrefillsInChunksWhileTheRunningRowsDecode() {
        List<SlotView> slots = List.of(busy(0, Phase.DECODING, 30, 10, false, 1),
                busy(1, Phase.PREFILLING, 8, 20, false, 2), free(2));
        StepPlan plan = PLANNER.plan(slots, List.of(), 0);
        assertEquals(List.of(new Chunk(1, 8, 16, false)), plan.chunks(), "one chunk of the budget, not the prompt");
        assertTrue(plan.decode(), "the decoding row steps in the same plan");
        StepPlan last = PLANNER.plan(List.of(busy(0, Phase.DECODING, 31, 10, false, 1),
                busy(1, Phase.PREFILLING, 16, 20, false, 2), free(2)), List.of(), 0);
        assertEquals(List.of(new Chunk(1, 16, 20, true)), last.chunks());
    }

    @Test
    void whileRowsDecodeTheChunkIsThePacedOneAndWithNoneTheWholeBudget() {
        List<SlotView> joining = List.of(busy(0, Phase.DECODING, 30, 10, false, 1),
                busy(1, Phase.PREFILLING, 0, 20, false, 2));
        StepPlan paced = PLANNER.plan(joining, List.of(), 0, 3);
        assertEquals(List.of(new Chunk(1, 0, 3, false)), paced.chunks(), "the running row waits for 3 tokens only");
        assertTrue(paced.paced());
        StepPlan alone = PLANNER.plan(List.of(free(0), busy(1, Phase.PREFILLING, 0, 20, false, 2)), List.of(), 0, 3);
        assertEquals(List.of(new Chunk(1, 0, 8, false)), alone.chunks(), "nobody waits: the whole chunk");
        assertFalse(alone.paced());
        StepPlan roomy = PLANNER.plan(joining, List.of(), 0, 100);
        assertEquals(List.of(new Chunk(1, 0, 8, false)), roomy.chunks(), "never more than the chunk");
    }

    @Test
    void theTokenBudgetIsSharedFirstComeFirstServed() {
        List<SlotView> slots = List.of(busy(0, Phase.PREFILLING, 0, 5, false, 7),
                busy(1, Phase.PREFILLING, 0, 20, false, 3), free(2));
        StepPlan plan = PLANNER.plan(slots, List.of(waiting(4, 1)), 0);
        // Slot 1 was admitted first: it takes the whole budget; slot 0 and the new prompt wait.
        assertEquals(List.of(new Chunk(1, 0, 8, false)), plan.chunks());
        assertEquals(1, plan.admit().size(), "admitted into the free slot even so");
        assertFalse(plan.decode(), "no row decodes and no prompt completes");
    }

    @Test
    void endedRowsLeaveAndTheirSlotsServeTheQueueInTheSameStep() {
        List<SlotView> slots = List.of(busy(0, Phase.DECODING, 12, 4, true, 1),
                busy(1, Phase.DECODING, 9, 4, false, 2));
        StepPlan plan = PLANNER.plan(slots, List.of(waiting(3, 1)), 0);
        assertEquals(List.of(0), plan.leave());
        assertEquals(1, plan.admit().size());
        assertArrayEquals(new int[] {0}, plan.admit().getFirst().slots());
        assertEquals(List.of(new Chunk(0, 0, 3, true)), plan.chunks());
        assertTrue(plan.decode());
    }

    @Test
    void aGroupJoinsWholeAndTheQueueKeepsItsOrder() {
        List<SlotView> slots = List.of(busy(0, Phase.DECODING, 5, 4, false, 1), free(1), free(2));
        StepPlan plan = PLANNER.plan(slots, List.of(waiting(3, 3), waiting(3, 1)), 0);
        assertTrue(plan.admit().isEmpty(), "n = 3 needs three slots; the one behind it waits too");
        StepPlan roomy = PLANNER.plan(List.of(free(0), free(1), free(2), free(3)),
                List.of(waiting(3, 3), waiting(3, 1)), 0);
        assertEquals(2, roomy.admit().size());
        assertEquals(3, roomy.admit().getFirst().slots().length);
        assertEquals(List.of(new Chunk(roomy.admit().getFirst().slots()[0], 0, 3, true),
                new Chunk(roomy.admit().get(1).slots()[0], 0, 3, true)), roomy.chunks(), "followers prefill nothing");
    }

    @Test
    void aPromptTakesTheSlotHoldingItsLongestPrefix() {
        Waiting w = waiting(10, 1);
        int[] shared = {100, 101, 102, 103, 104, 105, 999};
        List<SlotView> slots = List.of(free(0), idle(1, 5, 100, 101, 7), idle(2, 9, shared));
        StepPlan plan = PLANNER.plan(slots, List.of(w), 0);
        assertArrayEquals(new int[] {2}, plan.admit().getFirst().slots());
        assertEquals(6, plan.admit().getFirst().reused());
        assertEquals(List.of(new Chunk(2, 6, 10, true)), plan.chunks(), "only the rest is prefilled");
    }

    @Test
    void aPromptHeldWholeStillComputesItsLastToken() {
        int[] same = {100, 101, 102, 103};
        StepPlan plan = PLANNER.plan(List.of(idle(0, 1, same)), List.of(waiting(4, 1)), 0);
        assertEquals(3, plan.admit().getFirst().reused());
        assertEquals(List.of(new Chunk(0, 3, 4, true)), plan.chunks());
    }

    @Test
    void withoutAPrefixAFreeSlotGoesFirstThenTheLeastRecentlyUsed() {
        StepPlan plan = PLANNER.plan(List.of(idle(0, 3, 7, 7), idle(1, 2, 8, 8), free(2)),
                List.of(waiting(4, 1), waiting(4, 1), waiting(4, 1)), 0);
        List<Integer> order = new ArrayList<>();
        plan.admit().forEach(a -> order.add(a.slots()[0]));
        assertEquals(List.of(2, 1, 0), order);
        plan.admit().forEach(a -> assertEquals(0, a.reused()));
    }

    @Test
    void aScoredPromptReusesNothingAndPrefixReuseCanBeOff() {
        int[] held = {100, 101, 102};
        Waiting scored = new Waiting(new int[] {100, 101, 102, 103}, 1, 0, true);
        assertEquals(0, PLANNER.plan(List.of(idle(0, 1, held)), List.of(scored), 0).admit().getFirst().reused());
        StepPlanner off = new StepPlanner(new StepPlanner.Limits(8, false, 0));
        assertEquals(0, off.plan(List.of(idle(0, 1, held)), List.of(waiting(4, 1)), 0).admit().getFirst().reused());
    }

    @Test
    void aPrefixIsReusedOnlyUnderTheAdapterThatComputedIt() {
        int[] held = {100, 101, 102, 103, 104};
        SlotView base = new SlotView(0, Phase.IDLE, 5, 0, false, 1, held, 0);
        SlotView alpha = new SlotView(1, Phase.IDLE, 3, 0, false, 2, held, 7);
        Waiting underAlpha = new Waiting(waiting(8, 1).prompt(), 1, 0, false, 7);
        StepPlan plan = PLANNER.plan(List.of(base, alpha), List.of(underAlpha), 0);
        assertArrayEquals(new int[] {1}, plan.admit().getFirst().slots(), "alpha's shorter prefix, not the base's");
        assertEquals(3, plan.admit().getFirst().reused());
        Waiting underBeta = new Waiting(waiting(8, 1).prompt(), 1, 0, false, 8);
        StepPlan none = PLANNER.plan(List.of(base, alpha), List.of(underBeta), 0);
        assertEquals(0, none.admit().getFirst().reused(), "no slot holds a cache computed under beta");
        assertArrayEquals(new int[] {0}, none.admit().getFirst().slots(), "then the least recently used");
        StepPlan plain = PLANNER.plan(List.of(base, alpha), List.of(waiting(8, 1)), 0);
        assertArrayEquals(new int[] {0}, plain.admit().getFirst().slots(), "the base model's prompt takes its own");
        assertEquals(5, plain.admit().getFirst().reused());
    }

    @Test
    void aGroupWaitingPastTheTimeoutExpiresAndTheNextOneIsAdmitted() {
        Waiting old = new Waiting(new int[] {1, 2}, 1, 0, false);
        Waiting fresh = new Waiting(new int[] {1, 2}, 1, 1_500, false);
        StepPlan plan = PLANNER.plan(List.of(free(0)), List.of(old, fresh), 2_000);
        assertEquals(List.of(0), plan.expire());
        assertEquals(1, plan.admit().getFirst().waiting());
    }

    @Test
    void commonPrefixStopsAtTheFirstDifference() {
        assertEquals(2, StepPlanner.commonPrefix(new int[] {1, 2, 3, 4}, 4, new int[] {1, 2, 9, 4, 5}));
        assertEquals(1, StepPlanner.commonPrefix(new int[] {1, 2, 3, 4}, 1, new int[] {1, 2, 3}));
        assertEquals(0, StepPlanner.commonPrefix(new int[] {1}, 1, new int[] {1}), "a one-token prompt");
    }
}
