package io.quiver.bench.compare;

import io.quiver.bench.model.GgufHeader;
import io.quiver.bench.model.Qwen2Gguf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The random-weight chat model both servers run, made at bench time (never committed): the ONNX folder by
 * bench/models/generate_chat.py (transformers and Optimum, in the fixtures' pinned Python environment), the GGUF
 * from the same safetensors by {@link Qwen2Gguf}. Reused when already there.
 */
public final class BenchChatModel {
    private BenchChatModel() {
    }

    /** @param python the interpreter to run the generator with; null: the one models/fixtures/python-env.sh makes */
    public static Path ensure(Path folder, String shape, Path python) throws IOException, InterruptedException {
        if (!Files.exists(folder.resolve("onnx/model.onnx")) || !Files.exists(folder.resolve("model.safetensors"))) {
            System.out.println("generating " + shape + " at " + folder + " (a few minutes)");
            Path interpreter = python != null ? python : pinnedPython();
            Process p = new ProcessBuilder(List.of(interpreter.toString(), "bench/models/generate_chat.py", "--shape",
                    shape, "--out", folder.toString())).inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IOException("generate_chat.py failed with " + interpreter);
            }
        }
        Path gguf = folder.resolve("model-f32.gguf");
        if (!Files.exists(gguf)) {
            long t0 = System.nanoTime();
            Qwen2Gguf.write(folder, gguf, folder.getFileName().toString());
            GgufHeader header = GgufHeader.read(gguf);
            System.out.printf("wrote %s: %d tensors, %d metadata keys in %.1f s%n", gguf, header.tensors().size(),
                    header.metadata().size(), (System.nanoTime() - t0) / 1e9);
        }
        return gguf;
    }

    /** The fixtures' pinned environment, created on first use (python-env.sh prints its interpreter). */
    private static Path pinnedPython() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("models/fixtures/python-env.sh")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (p.waitFor() != 0 || out.isEmpty()) {
            throw new IOException("models/fixtures/python-env.sh failed");
        }
        return Path.of(out);
    }
}
