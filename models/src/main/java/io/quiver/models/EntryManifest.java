package io.quiver.models;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The files of a {@link GraphCache} entry as they were written: name, size and modification time of each, in a
 * file beside them. An entry is read only when it is {@link CacheFolder trusted} (folder, list and files) and holds
 * exactly the files listed, unchanged: a truncated, rewritten or added file misses. Sizes and times rather than a
 * digest of the contents, because an entry is as large as the model (reading gigabytes on every start would undo
 * what the cache saves) and a digest kept beside the files keeps out nobody who can write them; who can write them
 * is what the ownership rules decide.
 */
final class EntryManifest {
    static final String NAME = "files";

    private EntryManifest() {
    }

    /**
     * Makes every file of {@code entry} (a folder only this process writes into yet) private, whatever the umask
     * gave those ONNX Runtime wrote, and lists them.
     */
    static void seal(Path entry) throws IOException {
        StringBuilder text = new StringBuilder();
        for (Path file : files(entry)) {
            CacheFolder.makePrivate(file);
            text.append(line(file)).append('\n');
        }
        Path list = entry.resolve(NAME);
        Files.writeString(list, text, StandardCharsets.UTF_8);
        CacheFolder.makePrivate(list);
    }

    /** Why {@code entry} may not be read; empty when it may. */
    static Optional<String> verify(Path entry) {
        try {
            Optional<String> why = CacheFolder.distrust(entry, true);
            if (why.isPresent()) {
                return why;
            }
            Path list = entry.resolve(NAME);
            if (!Files.exists(list, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.of("has no list of its files");
            }
            why = CacheFolder.distrust(list, false);
            if (why.isPresent()) {
                return Optional.of("has a list of files that " + why.get());
            }
            Set<String> listed = new HashSet<>();
            for (String line : Files.readAllLines(list, StandardCharsets.UTF_8)) {
                String[] fields = line.split(" ", 3);
                if (fields.length != 3 || fields[2].contains("/") || fields[2].equals(NAME)
                        || fields[2].startsWith(".")) {
                    return Optional.of("has a malformed list of files");
                }
                Path file = entry.resolve(fields[2]);
                if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                    return Optional.of("lacks its " + fields[2]);
                }
                why = CacheFolder.distrust(file, false);
                if (why.isPresent()) {
                    return Optional.of("has a " + fields[2] + " that " + why.get());
                }
                if (!line(file).equals(line)) {
                    return Optional.of("has a " + fields[2] + " that changed after it was written");
                }
                listed.add(fields[2]);
            }
            for (Path file : files(entry)) {
                if (!listed.contains(file.getFileName().toString())) {
                    return Optional.of("holds " + file.getFileName() + ", which it was not written with");
                }
            }
            return listed.contains(GraphCache.GRAPH) ? Optional.empty() : Optional.of("holds no graph");
        } catch (IOException | UncheckedIOException e) {
            return Optional.of("cannot be read (" + e.getMessage() + ")");
        }
    }

    /** Everything in the entry but its list, sorted. */
    private static List<Path> files(Path entry) throws IOException {
        try (Stream<Path> files = Files.list(entry)) {
            return files.filter(f -> !f.getFileName().toString().equals(NAME)).sorted().toList();
        }
    }

    /** "size mtime-millis name", from the file itself, not a link's target. */
    private static String line(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return a.size() + " " + a.lastModifiedTime().toMillis() + " " + file.getFileName();
    }
}
