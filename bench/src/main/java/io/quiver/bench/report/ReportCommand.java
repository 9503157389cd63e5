package io.quiver.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.bench.results.ResultsStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bench report}: Markdown and PNG charts from the JSON results of a day (or any folder). */
@Command(name = "report", mixinStandardHelpOptions = true, description = "report.md + PNG charts from result JSON")
public final class ReportCommand implements Callable<Integer> {

    @Option(names = "--in", description = "Folder of result JSON (default: today's under --results)")
    Path in;

    @Option(names = "--out", description = "Where report.md and the PNGs go (default: --in)")
    Path out;

    @Option(names = "--results", defaultValue = ResultsStore.DEFAULT_ROOT)
    Path results;

    @Override
    public Integer call() throws IOException {
        Path from = in != null ? in : new ResultsStore(results).today();
        List<JsonNode> parsed = new ArrayList<>();
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                parsed.add(ResultsStore.JSON.readTree(f.toFile()));
            }
        }
        Path report = new ReportBuilder(out != null ? out : from).write(parsed, "Quiver bench, " + from.getFileName());
        System.out.println("wrote " + report);
        return 0;
    }
}
