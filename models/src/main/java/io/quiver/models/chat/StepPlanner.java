package io.quiver.models.chat;

import io.quiver.models.chat.SlotTable.Phase;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The first part of every engine step (vLLM v1's {@code schedule}): a pure function of the slots, the queue and the
 * clock that decides who leaves, who waited too long, who is admitted to which slots (reusing the longest prefix a
 * slot still holds), which prompt chunks prefill within the step's token budget, and whether the running rows
 * decode. It touches no model and no cache; {@link BatchScheduler} carries the plan out.
 */
final class StepPlanner {
    /**
     * @param chunkTokens  prompt tokens prefilled per step, across every prefilling sequence (first come first)
     * @param prefillStall while rows decode, the longest a step's chunks may take as a multiple of a decode step
     *                     ({@link PrefillPace}); 0: every step prefills {@code chunkTokens}
     * @param prefixReuse  whether an idle slot's tokens may stand in for a new prompt's prefix
     * @param queueTimeout nanoseconds a group may wait for slots (0: no limit)
     */
    record Limits(int chunkTokens, double prefillStall, boolean prefixReuse, long queueTimeout) {
        Limits {
            if (chunkTokens < 1) {
                throw new IllegalArgumentException("chunkTokens must be at least 1, was " + chunkTokens);
            }
        }

        /** Chunks of {@code chunkTokens} whether rows decode or not. */
        Limits(int chunkTokens, boolean prefixReuse, long queueTimeout) {
            this(chunkTokens, 0, prefixReuse, queueTimeout);
        }
    }

    /**
     * One slot as the planner sees it: {@code cached} positions hold {@code tokens[0, cached)}; a busy slot's
     * sequence has a prompt of {@code prompt} tokens and has {@code ended} (finished or cancelled) or not;
     * {@code since} orders admissions (and idle slots by last use); {@code adapter}: the LoRA adapter its cache was
     * computed with (0: the base model).
     */
    record SlotView(int id, Phase phase, int cached, int prompt, boolean ended, long since, int[] tokens,
                    long adapter) {
        SlotView(int id, Phase phase, int cached, int prompt, boolean ended, long since, int[] tokens) {
            this(id, phase, cached, prompt, ended, since, tokens, 0);
        }
    }

    /**
     * A group waiting in the queue, in queue order: its prompt, the rows it needs (n), when it was queued, and the
     * LoRA adapter it runs with (0: the base model).
     */
    record Waiting(int[] prompt, int rows, long queuedAt, boolean scoresPrompt, long adapter) {
        Waiting(int[] prompt, int rows, long queuedAt, boolean scoresPrompt) {
            this(prompt, rows, queuedAt, scoresPrompt, 0);
        }
    }

    /** Queue entry {@code waiting} takes {@code slots} (ids, its lead's first) and finds {@code reused} tokens there. */
    record Admit(int waiting, int[] slots, int reused) {
    }

    /** Prefill prompt positions [from, to) into a slot (by id); {@code completes}: the prompt is then whole. */
    record Chunk(int slot, int from, int to, boolean completes) {
    }

    /**
     * @param leave  busy slots whose sequences ended: released first
     * @param expire queue entries (indexes) that waited past the queue timeout
     * @param admit  queue entries given slots this step, in queue order
     * @param chunks prompt chunks to prefill, in order
     * @param decode whether the decoding rows (with those whose prompt completes here) run one step
     * @param paced  whether rows were decoding, so that the chunks were sized to the pace they wait for
     */
    record StepPlan(List<Integer> leave, List<Integer> expire, List<Admit> admit, List<Chunk> chunks,
                    boolean decode, boolean paced) {
        boolean idle() {
            return leave.isEmpty() && expire.isEmpty() && admit.isEmpty() && chunks.isEmpty() && !decode;
        }
    }

    private final Limits limits;

    StepPlanner(Limits limits) {
        this.limits = limits;
    }

    StepPlan plan(List<SlotView> slots, List<Waiting> queue, long now) {
        return plan(slots, queue, now, limits.chunkTokens());
    }

    /**
     * @param pacedTokens the prompt tokens this step may prefill if rows are decoding ({@link PrefillPace#tokens});
     *                    with none decoding, {@code chunkTokens}
     */
    StepPlan plan(List<SlotView> slots, List<Waiting> queue, long now, int pacedTokens) {
        List<Integer> leave = new ArrayList<>();
        // Slots a new group may take: free ones, idle ones, and those released now (they keep their tokens).
        List<SlotView> open = new ArrayList<>();
        List<SlotView> prefilling = new ArrayList<>();
        boolean decoding = false;
        for (SlotView s : slots) {
            if (s.phase() == Phase.FREE || s.phase() == Phase.IDLE) {
                open.add(s);
            } else if (s.ended()) {
                leave.add(s.id());
                open.add(s);
            } else if (s.phase() == Phase.PREFILLING) {
                prefilling.add(s);
            } else if (s.phase() == Phase.DECODING) {
                decoding = true;
            }
        }
        prefilling.sort(Comparator.comparingLong(SlotView::since));

        List<Integer> expire = new ArrayList<>();
        List<Admit> admit = new ArrayList<>();
        Set<Integer> taken = new HashSet<>();
        boolean blocked = false;
        for (int w = 0; w < queue.size(); w++) {
            Waiting g = queue.get(w);
            if (limits.queueTimeout() > 0 && now - g.queuedAt() > limits.queueTimeout()) {
                expire.add(w);
                continue;
            }
            if (blocked || g.rows() > open.size() - taken.size()) {
                // A group joins whole and in order: the rest wait behind it.
                blocked = true;
                continue;
            }
            int[] chosen = new int[g.rows()];
            Reuse lead = leadSlot(open, taken, g);
            chosen[0] = lead.slot();
            taken.add(lead.slot());
            for (int i = 1; i < chosen.length; i++) {
                chosen[i] = leastUseful(open, taken);
                taken.add(chosen[i]);
            }
            admit.add(new Admit(w, chosen, lead.reused()));
        }

        List<Chunk> chunks = new ArrayList<>();
        int budget = decoding ? Math.min(limits.chunkTokens(), pacedTokens) : limits.chunkTokens();
        for (SlotView s : prefilling) {
            budget = chunk(s.id(), s.cached(), s.prompt(), budget, chunks);
        }
        for (Admit a : admit) {
            budget = chunk(a.slots()[0], a.reused(), queue.get(a.waiting()).prompt().length, budget, chunks);
        }
        boolean decode = decoding || chunks.stream().anyMatch(Chunk::completes);
        return new StepPlan(leave, expire, admit, chunks, decode, decoding);
    }

    private static int chunk(int slot, int from, int prompt, int budget, List<Chunk> chunks) {
        if (budget <= 0 || from >= prompt) {
            return budget;
        }
        int to = Math.min(prompt, from + budget);
        chunks.add(new Chunk(slot, from, to, to == prompt));
        return budget - (to - from);
    }

    private record Reuse(int slot, int reused) {
    }

    /**
     * The lead's slot: the open slot holding the longest prefix of the prompt (at most all but its last token,
     * whose logits the prefill must compute), else the least useful one. A prompt that is scored takes no prefix:
     * every position's logits are needed. Only a cache computed with the same adapter is a prefix of the prompt.
     */
    private Reuse leadSlot(List<SlotView> open, Set<Integer> taken, Waiting g) {
        if (limits.prefixReuse() && !g.scoresPrompt()) {
            SlotView best = null;
            int bestLength = 0;
            for (SlotView s : open) {
                if (taken.contains(s.id()) || s.adapter() != g.adapter()) {
                    continue;
                }
                int n = commonPrefix(s.tokens(), s.cached(), g.prompt());
                if (n > bestLength || n == bestLength && n > 0 && s.since() < best.since()) {
                    best = s;
                    bestLength = n;
                }
            }
            if (best != null) {
                return new Reuse(best.id(), bestLength);
            }
        }
        return new Reuse(leastUseful(open, taken), 0);
    }

    /** A free slot if there is one, else the idle slot used longest ago (its tokens are evicted). */
    private static int leastUseful(List<SlotView> open, Set<Integer> taken) {
        SlotView pick = null;
        for (SlotView s : open) {
            if (taken.contains(s.id())) {
                continue;
            }
            boolean empty = s.cached() == 0;
            boolean pickEmpty = pick != null && pick.cached() == 0;
            if (pick == null || empty && !pickEmpty || empty == pickEmpty && s.since() < pick.since()) {
                pick = s;
            }
        }
        if (pick == null) {
            throw new IllegalStateException("no open slot left; the admission count is wrong");
        }
        return pick.id();
    }

    /** Tokens a slot's cache shares with the start of a prompt, leaving the prompt's last token to compute. */
    static int commonPrefix(int[] cached, int length, int[] prompt) {
        int limit = Math.min(length, prompt.length - 1);
        int n = 0;
        while (n < limit && cached[n] == prompt[n]) {
            n++;
        }
        return n;
    }
}
