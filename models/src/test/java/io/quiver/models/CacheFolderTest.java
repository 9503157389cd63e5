package io.quiver.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache folder is used only when no other user can have written it: created private, refused with one line
 * when it is a link, another user's, or writable by group or others. (The tests run as root, which may hand a
 * folder to another uid.)
 */
class CacheFolderTest {
    /** A uid that is not this process's, nor root. */
    static final int STRANGER = 4242;

    @TempDir
    Path temp;

    static int mode(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0777;
    }

    @Test
    void aMissingFolderIsCreatedPrivateAndOneOfOursIsUsed() throws IOException {
        Path cache = CacheFolder.open(temp.resolve("a/b/quiver"));
        assertEquals(0700, mode(cache));
        assertEquals(cache, CacheFolder.open(cache), "ours, so used again");
        Path graphs = CacheFolder.folder(cache, "native", "linux-x64");
        assertEquals(0700, mode(graphs));
        assertEquals(0700, mode(graphs.getParent()));
    }

    @Test
    void aCacheThisProcessCanWriteIsWrittenAndTheOverflowIsPrivate() throws IOException {
        Path cache = CacheFolder.open(temp.resolve("quiver"));
        assertEquals(cache, CacheFolder.forWriting(cache));
        // Where a read-only cache's missing files go: this user's own folder under java.io.tmpdir.
        Path overflow = CacheFolder.overflow();
        assertEquals(Path.of(System.getProperty("java.io.tmpdir")), overflow.getParent());
        assertEquals(0700, mode(CacheFolder.open(overflow)));
    }

    @Test
    void aFolderOthersCanWriteIsRefusedWithOneLine() throws IOException {
        Path cache = Files.createDirectory(temp.resolve("shared"));
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));
        String line = assertThrows(CacheFolder.Refused.class, () -> CacheFolder.open(cache)).getMessage();
        assertTrue(line.contains(cache.toString()) && line.contains("writable by group and others (mode 777)")
                && line.contains("quiver.cache-dir") && !line.contains("\n"), line);
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxr-xrwx"));
        line = assertThrows(CacheFolder.Refused.class, () -> CacheFolder.open(cache)).getMessage();
        assertTrue(line.contains("writable by others (mode 757)"), line);
    }

    @Test
    void anotherUsersFolderIsRefused() throws IOException {
        Path cache = Files.createDirectory(temp.resolve("theirs"));
        Files.setAttribute(cache, "unix:uid", STRANGER);
        String line = assertThrows(CacheFolder.Refused.class, () -> CacheFolder.open(cache)).getMessage();
        assertTrue(line.contains("owned by uid " + STRANGER), line);
    }

    @Test
    void aLinkIsRefusedNotFollowed() throws IOException {
        Path real = CacheFolder.open(temp.resolve("real"));
        Path link = Files.createSymbolicLink(temp.resolve("link"), real);
        String line = assertThrows(CacheFolder.Refused.class, () -> CacheFolder.open(link)).getMessage();
        assertTrue(line.contains("is a symbolic link"), line);
        Files.createSymbolicLink(real.resolve("native"), Files.createDirectory(temp.resolve("elsewhere")));
        IOException below = assertThrows(IOException.class, () -> CacheFolder.folder(real, "native", "linux-x64"));
        assertTrue(below.getMessage().contains("native is a symbolic link"), below.getMessage());
        assertTrue(Files.notExists(temp.resolve("elsewhere/linux-x64")), "nothing was created through the link");
    }

    @Test
    void aFolderReadableByAllButWritableByItsOwnerAloneIsTrustedAndSoAreItsFiles() throws IOException {
        // As an image layer holds it (chmod a+rX): 0755 folders, 0644 files.
        Path cache = Files.createDirectory(temp.resolve("image"));
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(cache, CacheFolder.open(cache));
        Path file = Files.writeString(cache.resolve("model.onnx"), "x");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertTrue(CacheFolder.distrust(file, false).isEmpty());
        Files.setAttribute(file, "unix:uid", STRANGER);
        assertTrue(CacheFolder.distrust(file, false).orElseThrow().contains("owned by uid " + STRANGER));
        Path link = Files.createSymbolicLink(cache.resolve("model.onnx.data"), file);
        assertEquals("is a symbolic link", CacheFolder.distrust(link, false).orElseThrow());
    }
}
