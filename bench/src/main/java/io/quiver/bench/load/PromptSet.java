package io.quiver.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Deterministic prompts with realistic lengths. Random-weight models make the words irrelevant; the lengths are
 * what cost compute. {@code short}: chat questions of 15–60 words (~20–80 tokens, the bulk of ShareGPT-style
 * traffic); {@code long}: a document plus a question, 700–1,100 words (~1,000–1,500 tokens, RAG-style);
 * {@code embed-long}: passages of 120–180 words, inside a BERT encoder's 256–512 token window.
 */
public final class PromptSet {
    private static final String[] WORDS = ("the a of to and in is that for it as was with be by on not he this are or "
            + "his from at which but have an they you were her she there been one all we their has would when if so "
            + "model server request token latency memory scale cluster pod queue window stable panic capacity "
            + "sunset light blue red scattering atmosphere cloud white river mountain city market history science "
            + "explain describe compare summarize why how what where list reasons steps example answer briefly")
            .split(" ");

    private final String name;
    private final List<String> prompts;

    private PromptSet(String name, List<String> prompts) {
        this.name = name;
        this.prompts = prompts;
    }

    public static PromptSet named(String name, long seed) {
        return switch (name) {
            case "short" -> generate(name, seed, 64, 15, 60, "");
            case "long" -> generate(name, seed, 16, 700, 1100, "Read the document above and answer: what is it about?");
            case "embed-long" -> generate(name, seed, 64, 120, 180, "");
            default -> throw new IllegalArgumentException("unknown prompt set '" + name + "' (short, long, embed-long)");
        };
    }

    private static PromptSet generate(String name, long seed, int count, int minWords, int maxWords, String tail) {
        Random random = new Random(seed);
        List<String> prompts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int words = minWords + random.nextInt(maxWords - minWords + 1);
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < words; w++) {
                text.append(w == 0 ? "" : (w % 17 == 0 ? ". " : " ")).append(WORDS[random.nextInt(WORDS.length)]);
            }
            text.append(tail.isEmpty() ? "?" : ".\n\n" + tail);
            prompts.add(text.toString());
        }
        return new PromptSet(name, List.copyOf(prompts));
    }

    public String name() {
        return name;
    }

    /** The i-th prompt, cycling. */
    public String get(long i) {
        return prompts.get((int) (i % prompts.size()));
    }

    public int size() {
        return prompts.size();
    }
}
