package io.quiver.bench.compare;

import io.quiver.bench.model.GgufHeader;
import io.quiver.bench.model.Qwen2Gguf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The random-weight chat model both servers run, made at bench time (never committed): the ONNX folder by
 * bench/models/generate_chat.py (PyTorch, Debian's python3), the GGUF from the same safetensors by
 * {@link Qwen2Gguf}. Reused when already there.
 */
public final class BenchChatModel {
    private BenchChatModel() {
    }

    public static Path ensure(Path folder, String shape, Path python) throws IOException, InterruptedException {
        if (!Files.exists(folder.resolve("onnx/model.onnx")) || !Files.exists(folder.resolve("model.safetensors"))) {
            System.out.println("generating " + shape + " at " + folder + " (a few minutes)");
            Process p = new ProcessBuilder(List.of(python.toString(), "bench/models/generate_chat.py", "--shape",
                    shape, "--out", folder.toString())).inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IOException("generate_chat.py failed (needs python3-torch and python3-onnx)");
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
}
