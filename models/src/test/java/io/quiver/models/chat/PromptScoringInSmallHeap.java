package io.quiver.models.chat;

import io.quiver.gpu.Placement;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Run in a JVM whose heap is far smaller than a whole prompt's logits (480 positions × 128,815 floats ≈ 250 MB):
 * scores such a prompt with echo-style prompt logprobs, the prefill a chunk of 16 at a time. Exits 0 when every
 * position was scored, and prints what happened either way. Argument: the model folder.
 */
final class PromptScoringInSmallHeap {
    static final int PROMPT = 480;

    private PromptScoringInSmallHeap() {
    }

    public static void main(String[] args) throws Exception {
        ChatOptions options = new ChatOptions(1, null, null, true, 0).withPrefillChunk(16);
        try (ChatEngine engine = ChatEngine.load(Path.of(args[0]), Placement.CPU, options)) {
            int[] prompt = new int[PROMPT];
            Arrays.fill(prompt, 1000);
            for (int i = 0; i < PROMPT; i += 7) {
                prompt[i] = 2000 + i;
            }
            CompletableFuture<List<TokenLogprob>> scored = new CompletableFuture<>();
            CompletableFuture<FinishReason> ended = new CompletableFuture<>();
            engine.submit(GenerationRequest.of(prompt, SamplingParams.greedy(), 1).scoringPromptOnly(5),
                    new GenerationListener() {
                        @Override
                        public void onPromptScored(List<TokenLogprob> logprobs) {
                            scored.complete(logprobs);
                        }

                        @Override
                        public void onDelta(Delta d) {
                        }

                        @Override
                        public void onComplete(FinishReason reason, Usage usage) {
                            ended.complete(reason);
                        }

                        @Override
                        public void onError(Throwable error) {
                            ended.completeExceptionally(error);
                        }
                    });
            FinishReason reason;
            try {
                reason = ended.get(90, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.out.println("failed: " + e);
                System.exit(1);
                return;
            }
            List<TokenLogprob> scores = scored.get(1, TimeUnit.SECONDS);
            System.out.printf("%s: %d positions scored, running %d%n", reason, scores.size(), engine.running());
            System.exit(scores.size() == PROMPT - 1 && engine.running() == 0 ? 0 : 1);
        }
    }
}
