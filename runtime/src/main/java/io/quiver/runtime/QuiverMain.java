package io.quiver.runtime;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.quiver.runtime.lifecycle.Preload;

/** The packaged application's entry point: starts the model preload, then the framework, side by side. */
@QuarkusMain
public class QuiverMain {
    public static void main(String... args) {
        Preload.start(System.getenv());
        Quarkus.run(args);
    }
}
