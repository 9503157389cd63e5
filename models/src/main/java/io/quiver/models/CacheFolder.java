package io.quiver.models;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who may have written the cache folder. Quiver loads native code and model weights from it, so it reads only what
 * no other user can have put there: the folder, each folder below it and each file it reads must be the thing
 * itself (a symbolic link is not followed), owned by this process's user or by root, and writable by neither group
 * nor others. What Quiver creates there is private (folders 0700, files 0600). A root-owned cache this user cannot
 * write, as an image layer holds, is trusted and read as it is.
 */
public final class CacheFolder {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final int TYPE = 0170000;
    private static final int FOLDER = 0040000;
    private static final int FILE = 0100000;
    private static final int LINK = 0120000;
    private static final int SHARED_WRITE = 0022;
    private static final FileAttribute<Set<PosixFilePermission>> PRIVATE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final int UID = processUid();

    private CacheFolder() {
    }

    /** The cache folder cannot be used; the message is the one line to log, naming the folder and the fix. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    /**
     * The cache folder, created private when it does not exist yet.
     *
     * @throws Refused when it cannot be created, or exists but is a link, not a folder, another user's or
     *                  writable by group or others
     */
    public static Path open(Path root) {
        Path folder = root.toAbsolutePath().normalize();
        String fix = ": point quiver.cache-dir (QUIVER_CACHE_DIR) at a folder of this user that group and others "
                + "cannot write (one that does not exist yet is created so)";
        try {
            if (!Files.exists(folder, NOFOLLOW)) {
                if (folder.getParent() != null) {
                    Files.createDirectories(folder.getParent());
                }
                createPrivate(folder);
            }
        } catch (IOException e) {
            throw new Refused("cache folder " + folder + " cannot be created (" + e + ")" + fix);
        }
        distrust(folder, true).ifPresent(why -> {
            throw new Refused("cache folder " + folder + " " + why + ", and Quiver loads native code and models "
                    + "from it" + fix + ", or fix this one");
        });
        return folder;
    }

    /**
     * Where this process writes into the opened cache folder {@code opened}: the folder itself when it may, else
     * a private folder of this user under {@code java.io.tmpdir}, opened as {@link #open} does. A cache baked into
     * an image is root's and read-only to a pod's user (or on a read-only root file system): it serves what it
     * holds, and what it lacks is written there instead.
     */
    public static Path forWriting(Path opened) {
        return Files.isWritable(opened) ? opened : open(overflow());
    }

    /** The private folder that stands in for a cache folder this process cannot write. */
    static Path overflow() {
        return Path.of(System.getProperty("java.io.tmpdir"), UID < 0 ? "quiver-cache" : "quiver-cache-" + UID);
    }

    /**
     * {@code parent/names…} as a folder: each level that is missing is created private, each that exists must be
     * trusted. {@code parent} is the caller's to trust (the opened cache folder, or a folder this returned).
     *
     * @throws IOException naming the first level that is not trusted, or why one could not be created
     */
    public static Path folder(Path parent, String... names) throws IOException {
        Path dir = parent;
        for (String name : names) {
            dir = dir.resolve(name);
            if (!Files.exists(dir, NOFOLLOW)) {
                createPrivate(dir);
            }
            Optional<String> why = distrust(dir, true);
            if (why.isPresent()) {
                throw new IOException(dir + " " + why.get());
            }
        }
        return dir;
    }

    /** Why a folder ({@code folder} true) or a regular file in the cache cannot be trusted; empty when it can. */
    public static Optional<String> distrust(Path path, boolean folder) {
        Map<String, Object> unix;
        try {
            unix = Files.readAttributes(path, "unix:mode,uid", NOFOLLOW);
        } catch (UnsupportedOperationException e) {
            // No owners or modes on this file system (not a POSIX one): only links and types can be checked.
            if (Files.isSymbolicLink(path)) {
                return Optional.of("is a symbolic link");
            }
            return folder == Files.isDirectory(path, NOFOLLOW) && (folder || Files.isRegularFile(path, NOFOLLOW))
                    ? Optional.empty() : Optional.of(folder ? "is not a folder" : "is not a regular file");
        } catch (IOException e) {
            return Optional.of("cannot be read (" + e + ")");
        }
        int mode = (Integer) unix.get("mode");
        int uid = (Integer) unix.get("uid");
        if ((mode & TYPE) == LINK) {
            return Optional.of("is a symbolic link");
        }
        if ((mode & TYPE) != (folder ? FOLDER : FILE)) {
            return Optional.of(folder ? "is not a folder" : "is not a regular file");
        }
        if (uid != UID && uid != 0) {
            return Optional.of("is owned by uid " + uid + ", neither this process's user (uid " + UID + ") nor "
                    + "root");
        }
        if ((mode & SHARED_WRITE) != 0) {
            String who = (mode & SHARED_WRITE) == SHARED_WRITE ? "group and others" : (mode & 0020) != 0 ? "group"
                    : "others";
            return Optional.of("is writable by " + who + " (mode " + Integer.toOctalString(mode & 07777) + ")");
        }
        return Optional.empty();
    }

    /** Takes group and others' permissions off a file this process wrote (the umask may have left them write). */
    static void makePrivate(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: nothing to take off.
        }
    }

    private static void createPrivate(Path dir) throws IOException {
        try {
            Files.createDirectory(dir, PRIVATE);
        } catch (UnsupportedOperationException e) {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            // Created meanwhile by another start; the caller checks whose it is.
        }
    }

    /** The effective user of this process: the owner of its /proc entry, else of a file it creates. */
    private static int processUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            try {
                Path probe = Files.createTempFile("quiver-uid", null);
                try {
                    return (Integer) Files.getAttribute(probe, "unix:uid");
                } finally {
                    Files.delete(probe);
                }
            } catch (IOException | UnsupportedOperationException | IllegalArgumentException none) {
                return -1;
            }
        }
    }
}
