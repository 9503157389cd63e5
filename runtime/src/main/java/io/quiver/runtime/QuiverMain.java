package io.quiver.runtime;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.quiver.runtime.config.Settings;
import io.quiver.runtime.lifecycle.Launch;
import io.quiver.runtime.lifecycle.Preload;
import java.time.LocalTime;
import java.util.Map;

/** The packaged application's entry point: checks the settings, starts the model preload, then the framework. */
@QuarkusMain
public class QuiverMain {
    public static void main(String... args) {
        Map<String, String> settings;
        try {
            settings = Settings.atLaunch(System.getenv(), System.getProperties());
        } catch (Settings.Invalid e) {
            // Before the framework's logging exists: one line in its console format, and no preload to cut off.
            System.err.printf("%tT.%<tL ERROR [io.quiver.runtime.QuiverMain] startup failed: %s%n", LocalTime.now(),
                    e.getMessage());
            System.exit(1);
            return;
        }
        Preload.start(settings);
        Launch.fromMain();
        Quarkus.run(Started.class, args);
    }

    /** Runs once the framework has started (HTTP listening, its "Listening on" line written); then waits. */
    public static class Started implements QuarkusApplication {
        @Override
        public int run(String... args) {
            Launch.frameworkStarted();
            Quarkus.waitForExit();
            return 0;
        }
    }
}
