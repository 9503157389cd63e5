package io.quiver.bench.load;

/** The OpenAI routes the load generator drives; only chat and completions stream tokens. */
public enum Route {
    CHAT("/v1/chat/completions", true),
    COMPLETIONS("/v1/completions", true),
    EMBEDDINGS("/v1/embeddings", false),
    IMAGES("/v1/images/generations", false);

    private final String path;
    private final boolean generates;

    Route(String path, boolean generates) {
        this.path = path;
        this.generates = generates;
    }

    public String path() {
        return path;
    }

    /** Whether the route produces tokens (TTFT, inter-token latency and tokens/s mean something). */
    public boolean generates() {
        return generates;
    }
}
