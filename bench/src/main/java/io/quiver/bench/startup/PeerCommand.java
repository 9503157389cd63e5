package io.quiver.bench.startup;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The command line of a peer server for {@code bench startup --command}: either one {@code --command} per argument
 * (verbatim, so an argument may hold spaces) or the whole line in one {@code --command}, split on whitespace.
 * {@value #PORT} in any argument becomes the bench's {@code --port}.
 */
public record PeerCommand(List<String> argv) {
    public static final String PORT = "{port}";

    public PeerCommand {
        if (argv.isEmpty() || argv.getFirst().isBlank()) {
            throw new IllegalArgumentException("--command is empty");
        }
        argv = List.copyOf(argv);
    }

    public static PeerCommand parse(List<String> values, int port) {
        List<String> words = values.size() == 1
                ? Arrays.stream(values.getFirst().strip().split("\\s+")).toList()
                : values;
        return new PeerCommand(words.stream().map(w -> w.replace(PORT, Integer.toString(port))).toList());
    }

    /** The program's file name, e.g. {@code llama-server}: the server's name in the report unless told otherwise. */
    public String server() {
        return Path.of(argv.getFirst()).getFileName().toString();
    }
}
