package io.quiver.runtime.lifecycle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime's native libraries are loaded from the cache folder only while they are the jar's own: a planted
 * file of the expected size, a link or a library the jar does not ship is replaced or removed, and a folder another
 * user owns is not used at all. (The property that points the binding at the folder is set once per JVM, so this
 * checks the folder the binding would be pointed at.)
 */
class NativeLibrariesTest {
    static final String PLATFORM = "linux-x64";
    static final String JNI = "libonnxruntime4j_jni.so";

    @TempDir
    Path cache;
    @TempDir
    Path elsewhere;

    static byte[] shipped(String file) throws IOException {
        try (InputStream in = NativeLibraries.class.getResourceAsStream("/ai/onnxruntime/native/" + PLATFORM + "/"
                + file)) {
            return in.readAllBytes();
        }
    }

    @Test
    void aPlantedLibraryOfTheExpectedSizeAndTimeIsReplacedByTheJarsCopy() throws IOException {
        Path dir = NativeLibraries.unpack(cache, PLATFORM).orElseThrow();
        Path jni = dir.resolve(JNI);
        FileTime copied = Files.getLastModifiedTime(jni);
        byte[] planted = new byte[shipped(JNI).length];
        Files.write(jni, planted);
        Files.setLastModifiedTime(jni, copied);
        assertEquals(dir, NativeLibraries.unpack(cache, PLATFORM).orElseThrow());
        assertArrayEquals(shipped(JNI), Files.readAllBytes(jni), "the binding would have loaded the planted file");
    }

    @Test
    void aLinkIsReplacedNotFollowedAndALibraryTheJarLacksIsRemoved() throws IOException {
        Path dir = NativeLibraries.unpack(cache, PLATFORM).orElseThrow();
        Path jni = dir.resolve(JNI);
        Path target = Files.write(elsewhere.resolve(JNI), shipped(JNI));
        Files.delete(jni);
        Files.createSymbolicLink(jni, target);
        // The CPU jar ships no CUDA provider: one found here would be loaded when CUDA is asked for.
        Path cuda = Files.write(dir.resolve("libonnxruntime_providers_cuda.so"), new byte[] {0x7f, 'E', 'L', 'F'});
        NativeLibraries.unpack(cache, PLATFORM).orElseThrow();
        assertFalse(Files.isSymbolicLink(jni));
        assertArrayEquals(shipped(JNI), Files.readAllBytes(jni));
        assertTrue(Files.notExists(cuda));
    }

    @Test
    void aFolderAnotherUserOwnsIsNotUsed() throws IOException {
        Path dir = NativeLibraries.unpack(cache, PLATFORM).orElseThrow();
        Files.write(dir.resolve(JNI), new byte[shipped(JNI).length]);
        Files.setAttribute(dir, "unix:uid", 4242);
        assertTrue(NativeLibraries.unpack(cache, PLATFORM).isEmpty(), "the binding unpacks its own copy instead");
        assertEquals(0, Files.readAllBytes(dir.resolve(JNI))[0], "nothing in it was touched");
        Files.setAttribute(cache, "unix:uid", 4242);
        assertTrue(NativeLibraries.unpack(cache, PLATFORM).isEmpty());
    }
}
