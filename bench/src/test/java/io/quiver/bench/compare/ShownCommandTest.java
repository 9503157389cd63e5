package io.quiver.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A peer's command line goes into committed results without a path of the machine it ran on. */
class ShownCommandTest {
    @Test
    void peersVenvAndCheckoutPathsAreMasked() {
        Path repo = Path.of("").toAbsolutePath();
        Path peers = Path.of("/srv/peers");
        Path python = Path.of("/opt/env/bin/python");
        List<String> genai = List.of(python.toString(), "bench/peers/genai_generate.py", "--model",
                repo.resolve(".cache/models/m-genai").toString(), "--serve");
        assertEquals("<venv>/bin/python bench/peers/genai_generate.py --model .cache/models/m-genai --serve",
                ServersSuite.shown(genai, peers, python));
        List<String> llama = List.of("/srv/peers/llama.cpp/build/bin/llama-server", "-m",
                "/srv/peers/llama.cpp/models/m.gguf");
        assertEquals("<peers>/llama.cpp/build/bin/llama-server -m <peers>/llama.cpp/models/m.gguf",
                ServersSuite.shown(llama, peers, python));
    }
}
