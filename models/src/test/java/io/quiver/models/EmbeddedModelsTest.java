package io.quiver.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Embedded models are copied once, and copied again when the application ships a different file. */
class EmbeddedModelsTest {
    @TempDir
    Path cache;

    @Test
    void aCachedFileOfTheSameSizeButAnotherTimeIsReplaced() throws Exception {
        Path folder = EmbeddedModels.materialize(EmbeddedModels.SCHEME + "tiny-random-bert-intents", cache);
        Path config = folder.resolve("config.json");
        byte[] shipped = Files.readAllBytes(config);
        FileTime copied = Files.getLastModifiedTime(config);

        byte[] stale = shipped.clone();
        stale[0] = (byte) (stale[0] == ' ' ? '\n' : ' ');
        Files.write(config, stale);
        Files.setLastModifiedTime(config, FileTime.fromMillis(copied.toMillis() - 60_000));
        EmbeddedModels.materialize(EmbeddedModels.SCHEME + "tiny-random-bert-intents", cache);
        assertArrayEquals(shipped, Files.readAllBytes(config), "the old cached copy was kept");

        EmbeddedModels.materialize(EmbeddedModels.SCHEME + "tiny-random-bert-intents", cache);
        assertEquals(copied, Files.getLastModifiedTime(config), "an up-to-date copy is reused, not rewritten");
    }
}
