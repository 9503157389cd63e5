package io.quiver.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Embedded models are copied once and reused only while the copy is private and holds the application's bytes: a
 * file of the same size and time but other bytes, another user's file or a link is replaced; a cache folder others
 * can write is refused.
 */
class EmbeddedModelsTest {
    static final String INTENTS = EmbeddedModels.SCHEME + "tiny-random-bert-intents";
    static final String MINILM = EmbeddedModels.SCHEME + EmbeddedModels.MINILM;

    @TempDir
    Path cache;
    @TempDir
    Path elsewhere;

    static byte[] resource(String name) throws IOException {
        try (InputStream in = EmbeddedModels.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    /** Same size as the shipped bytes, one byte changed. */
    static byte[] forged(byte[] shipped) {
        byte[] forged = shipped.clone();
        forged[forged.length / 2] ^= 1;
        return forged;
    }

    @Test
    void aCopyOfTheSameSizeAndTimeButOtherBytesIsReplaced() throws Exception {
        // A fixture comes from a class-path folder here, MiniLM's tokenizer from langchain4j's jar: both checked.
        for (String[] model : new String[][] {{INTENTS, "config.json", "/fixtures/tiny-random-bert-intents/"
                + "config.json"}, {MINILM, "tokenizer.json", "/all-minilm-l6-v2-tokenizer.json"}}) {
            Path file = EmbeddedModels.materialize(model[0], cache).resolve(model[1]);
            byte[] shipped = resource(model[2]);
            FileTime copied = Files.getLastModifiedTime(file);
            Files.write(file, forged(shipped));
            Files.setLastModifiedTime(file, copied);
            EmbeddedModels.materialize(model[0], cache);
            assertArrayEquals(shipped, Files.readAllBytes(file), model[1] + ": the forged copy was kept");
            FileTime replaced = Files.getLastModifiedTime(file);
            EmbeddedModels.materialize(model[0], cache);
            assertEquals(replaced, Files.getLastModifiedTime(file), "a good copy is reused, not rewritten");
        }
    }

    @Test
    void aLinkInTheCacheIsReplacedNotFollowed() throws Exception {
        Path file = EmbeddedModels.materialize(INTENTS, cache).resolve("config.json");
        byte[] shipped = Files.readAllBytes(file);
        Path planted = Files.write(elsewhere.resolve("config.json"), forged(shipped));
        Files.setLastModifiedTime(planted, Files.getLastModifiedTime(file));
        Files.delete(file);
        Files.createSymbolicLink(file, planted);
        EmbeddedModels.materialize(INTENTS, cache);
        assertFalse(Files.isSymbolicLink(file));
        assertArrayEquals(shipped, Files.readAllBytes(file));
        assertArrayEquals(forged(shipped), Files.readAllBytes(planted), "the link's target was not written");
    }

    @Test
    void anotherUsersCopyIsReplacedEvenWithTheRightBytes() throws Exception {
        Path file = EmbeddedModels.materialize(INTENTS, cache).resolve("config.json");
        int ours = (Integer) Files.getAttribute(file, "unix:uid");
        Files.setAttribute(file, "unix:uid", CacheFolderTest.STRANGER);
        EmbeddedModels.materialize(INTENTS, cache);
        assertEquals(ours, Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
        EmbeddedModels.materialize(INTENTS, cache);
        assertEquals(0600, CacheFolderTest.mode(file), "a copy others could write is replaced by a private one");
    }

    @Test
    void aCacheFolderOthersCanWriteIsRefused() throws Exception {
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));
        String line = assertThrows(CacheFolder.Refused.class, () -> EmbeddedModels.materialize(INTENTS, cache))
                .getMessage();
        assertTrue(line.contains("writable by group and others (mode 777)"), line);
        assertTrue(Files.notExists(cache.resolve("tiny-random-bert-intents")), "nothing was written into it");
    }

    @Test
    void aModelTheCacheHoldsWholeIsReadInPlaceWithNothingWritten() throws Exception {
        Path file = EmbeddedModels.materialize(INTENTS, cache).resolve("config.json");
        FileTime copied = Files.getLastModifiedTime(file);
        // As a cache baked into an image serves a pod's user: the model is there, and nothing may be written.
        Path folder = EmbeddedModels.materialize(INTENTS, cache, () -> {
            throw new AssertionError("asked where to write for a model the cache holds whole");
        });
        assertEquals(cache.resolve("tiny-random-bert-intents"), folder);
        assertEquals(copied, Files.getLastModifiedTime(file));
    }

    @Test
    void whatAReadOnlyCacheLacksIsCopiedWhereThisProcessMayWrite() throws Exception {
        Path folder = EmbeddedModels.materialize(INTENTS, cache, () -> elsewhere);
        assertEquals(elsewhere.resolve("tiny-random-bert-intents"), folder);
        assertArrayEquals(resource("/fixtures/tiny-random-bert-intents/config.json"),
                Files.readAllBytes(folder.resolve("config.json")));
        assertTrue(Files.notExists(cache.resolve("tiny-random-bert-intents")), "nothing was written into the cache");

        // A copy that is not the application's counts as missing: the model is read from where it was written.
        Path baked = EmbeddedModels.materialize(MINILM, cache).resolve("config.json");
        Files.write(baked, forged(Files.readAllBytes(baked)));
        assertEquals(elsewhere.resolve(EmbeddedModels.MINILM), EmbeddedModels.materialize(MINILM, cache,
                () -> elsewhere));
    }
}
