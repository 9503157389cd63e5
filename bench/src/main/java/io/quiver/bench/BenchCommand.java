package io.quiver.bench;

import io.quiver.bench.compare.CompareCommand;
import io.quiver.bench.kpa.KpaCommand;
import io.quiver.bench.load.LoadCommand;
import io.quiver.bench.report.ReportCommand;
import io.quiver.bench.soak.SoakCommand;
import io.quiver.bench.startup.StartupCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bench <scenario>}: measures Quiver the way its users and Knative see it. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Quiver benchmarks: load, startup, compare (peers), kpa (autoscaler simulation), soak, report",
        subcommands = {LoadCommand.class, StartupCommand.class, CompareCommand.class, KpaCommand.class,
                SoakCommand.class, ReportCommand.class})
public final class BenchCommand implements Runnable {

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
        // Quarkus' JBoss LogManager is on the class path (through the runtime module); let JUL use it quietly.
        System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        System.exit(new CommandLine(new BenchCommand()).execute(args));
    }
}
