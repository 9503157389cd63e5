package io.quiver.bench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.quiver.bench.load.LoadCommand;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** A bench run leaves the checkout clean: results go under the user's cache unless --results says otherwise. */
class ResultsRootTest {
    @Test
    void resultsGoOutsideTheSourceTreeByDefault() {
        CommandLine cli = new CommandLine(new LoadCommand());
        cli.parseArgs();
        Path root = cli.getCommandSpec().findOption("--results").getValue();
        assertEquals(Path.of(System.getProperty("user.home"), ".cache", "quiver", "bench-results"), root);
        assertFalse(root.toAbsolutePath().startsWith(Path.of("").toAbsolutePath().getParent()),
                "inside the checkout: " + root);
        cli.parseArgs("--results", "bench/results");
        assertEquals(Path.of("bench/results"), cli.getCommandSpec().findOption("--results").getValue());
    }
}
