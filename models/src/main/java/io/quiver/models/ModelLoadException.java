package io.quiver.models;

import java.nio.file.Path;

/** A model that cannot be loaded; the message names the file and the cause in one line. */
public class ModelLoadException extends RuntimeException {
    public ModelLoadException(Path file, String cause) {
        super(file + ": " + cause);
    }

    public ModelLoadException(Path file, String cause, Throwable error) {
        super(file + ": " + cause, error);
    }
}
