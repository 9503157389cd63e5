package io.quiver.bench.load;

import java.util.Random;

/**
 * Deterministic prompts with realistic lengths. Random-weight models make the words irrelevant; the lengths are
 * what cost compute. {@code short}: chat questions of 15–60 words (~20–80 tokens, the bulk of ShareGPT-style
 * traffic); {@code long}: a document plus a question, 940–1,380 words (1,000–1,500 tokens with the chat template,
 * RAG-style); {@code system}: a system prompt of 930–950 words (~1,000 tokens), the prefix every request of a
 * shared-prefix level carries; {@code embed-long}: passages of 120–180 words, inside a BERT encoder's 256–512 token
 * window. These words are ~1.06 tokens each in byte-level BPE vocabularies (SmolLM2's, DeepSeek's).
 */
public final class PromptSet {
    private static final String[] WORDS = ("the a of to and in is that for it as was with be by on not he this are or "
            + "his from at which but have an they you were her she there been one all we their has would when if so "
            + "model server request token latency memory scale cluster pod queue window stable panic capacity "
            + "sunset light blue red scattering atmosphere cloud white river mountain city market history science "
            + "explain describe compare summarize why how what where list reasons steps example answer briefly")
            .split(" ");

    private final String name;
    private final long seed;
    private final int minWords;
    private final int maxWords;
    private final String tail;

    private PromptSet(String name, long seed, int minWords, int maxWords, String tail) {
        this.name = name;
        this.seed = seed;
        this.minWords = minWords;
        this.maxWords = maxWords;
        this.tail = tail;
    }

    public static PromptSet named(String name, long seed) {
        return switch (name) {
            case "short" -> new PromptSet(name, seed, 15, 60, "");
            case "long" -> new PromptSet(name, seed, 940, 1380, "Read the document above and answer: what is it about?");
            case "system" -> new PromptSet(name, seed, 930, 950, "Answer the user's questions about the text above.");
            case "embed-long" -> new PromptSet(name, seed, 120, 180, "");
            default -> throw new IllegalArgumentException("unknown prompt set '" + name + "' (short, long, system, embed-long)");
        };
    }

    public String name() {
        return name;
    }

    /**
     * The i-th prompt: its own words for every i (the same for the same seed and i), so a server that caches
     * prompt prefixes (llama-server, vLLM) gets no more reuse than the chat template's, as in real traffic.
     */
    public String get(long i) {
        Random random = new Random(seed * 1_000_003L + i);
        int words = minWords + random.nextInt(maxWords - minWords + 1);
        StringBuilder text = new StringBuilder();
        for (int w = 0; w < words; w++) {
            text.append(w == 0 ? "" : (w % 17 == 0 ? ". " : " ")).append(WORDS[random.nextInt(WORDS.length)]);
        }
        return text.append(tail.isEmpty() ? "?" : ".\n\n" + tail).toString();
    }
}
