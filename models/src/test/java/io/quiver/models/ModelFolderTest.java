package io.quiver.models;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFolderTest {
    @Test
    void aCorruptJsonFileIsNamedWithoutQuotingItsContent(@TempDir Path folder) throws Exception {
        Files.writeString(folder.resolve("config.json"), "sk-live-SECRET0123456789 and more");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelFolder.of(folder).json("config.json"));
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("not valid JSON (line 1"),
                e.getMessage());
        assertFalse(e.getMessage().contains("SECRET"), e.getMessage());
    }
}
