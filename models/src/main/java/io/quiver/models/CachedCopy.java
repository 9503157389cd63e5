package io.quiver.models;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URL;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A class-path resource (a native library, a file of an embedded model) copied into the cache folder once and
 * reused while it is {@link CacheFolder trusted} and holds the resource's bytes: the same size and CRC-32 as the jar
 * records for its entry (read from the jar's directory, without inflating it; for a resource in a class-path folder,
 * computed from the file). Anything else in its place (another user's file, a symbolic link, a stale or damaged
 * copy) is replaced by a private copy written beside it and moved in at once. A CRC-32 catches a copy that is not
 * the jar's by accident; a deliberate one is kept out by the ownership rules, since only this user or root could
 * have written it.
 */
public final class CachedCopy {
    private CachedCopy() {
    }

    /** What a resource's bytes must be. */
    private record Expected(long size, long crc) {
    }

    /**
     * Makes {@code target} (in a trusted folder) a copy of {@code resource}; returns why the copy that was there
     * was replaced, or empty when it was reused or there was none.
     */
    public static Optional<String> ensure(URL resource, Path target) throws IOException {
        Expected expected = expected(resource);
        Optional<String> replaced = Optional.empty();
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            replaced = mismatch(target, expected);
            if (replaced.isEmpty()) {
                return replaced;
            }
        }
        Path partial;
        try {
            partial = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
        } catch (IOException e) {
            throw new IOException(replaced.map(why -> "the cached " + target + " " + why + ", and it")
                    .orElse(target.toString()) + " cannot be written (" + e + ")", e);
        }
        // Written into the private (0600) file just made: a copy that replaced it would take the umask's mode.
        try (InputStream in = resource.openStream(); OutputStream out = Files.newOutputStream(partial)) {
            in.transferTo(out);
            out.close();
            // A rename: whatever was at the target, a link included, is replaced, never written through.
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(partial);
        }
        return replaced;
    }

    /** Whether {@code target} is already a trusted copy of {@code resource}: reading it needs no write. */
    public static boolean holds(URL resource, Path target) throws IOException {
        return Files.exists(target, LinkOption.NOFOLLOW_LINKS) && mismatch(target, expected(resource)).isEmpty();
    }

    /** Why {@code target} is not a trusted copy of those bytes; empty when it is. */
    private static Optional<String> mismatch(Path target, Expected expected) throws IOException {
        Optional<String> distrust = CacheFolder.distrust(target, false);
        if (distrust.isPresent()) {
            return distrust;
        }
        long size = Files.size(target);
        if (size != expected.size()) {
            return Optional.of("has " + size + " bytes, not " + expected.size());
        }
        return crc(target) == expected.crc() ? Optional.empty() : Optional.of("has other bytes than the application's");
    }

    private static Expected expected(URL resource) throws IOException {
        // jar:file:<jar>!/<entry>, as the JDK's class loaders and Quarkus' runner (with a handler of its own) give.
        String spec = resource.getPath();
        int bang = spec.indexOf("!/");
        if (resource.getProtocol().equals("jar") && spec.startsWith("file:") && bang > 0) {
            try (ZipFile jar = new ZipFile(Path.of(URI.create(spec.substring(0, bang))).toFile())) {
                ZipEntry entry = jar.getEntry(spec.substring(bang + 2));
                if (entry != null && entry.getCrc() >= 0 && entry.getSize() >= 0) {
                    return new Expected(entry.getSize(), entry.getCrc());
                }
            }
        }
        CRC32 crc = new CRC32();
        long size = 0;
        try (InputStream in = resource.openStream()) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; size += n) {
                crc.update(buffer, 0, n);
            }
        }
        return new Expected(size, crc.getValue());
    }

    /** The file's CRC-32, read through a mapping: no copy, and no direct-memory buffer. */
    private static long crc(Path file) throws IOException {
        CRC32 crc = new CRC32();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = channel.size();
            for (long at = 0; at < size; at += Integer.MAX_VALUE) {
                crc.update(channel.map(FileChannel.MapMode.READ_ONLY, at, Math.min(Integer.MAX_VALUE, size - at)));
            }
        }
        return crc.getValue();
    }
}
