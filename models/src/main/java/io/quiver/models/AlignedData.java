package io.quiver.models;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A graph ONNX Runtime wrote, its external data laid out again so that every initializer and every pre-packed
 * weight starts on a page. ONNX Runtime 1.29 writes them back to back and, reading the graph, maps each where it
 * lies; MatMulNBits' packing for int8 activations (the model builder's CPU graphs) finds its parts by aligning
 * addresses, so a packing mapped from an offset that is not a multiple of 64 reads the wrong bytes and the graph
 * answers zeros or NaN. On pages, each is read as it was written. The data file is rewritten in place (regions
 * only move towards its end), so no second copy of a large model is ever on disk.
 */
final class AlignedData {
    static final int PAGE = 4096;
    /** The graph beside the data holds names and shapes only; anything larger is not a graph this wrote. */
    private static final int MAX_GRAPH_BYTES = 64 << 20;
    // Field numbers of onnx.proto3.
    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int TENSOR_EXTERNAL_DATA = 13;
    private static final int ENTRY_KEY = 1;
    private static final int ENTRY_VALUE = 2;
    private static final String PREPACKED = "prepacked_";

    private AlignedData() {
    }

    /** One stretch of the data file: where it is, where it goes. */
    private record Region(long from, long length, long to) {
    }

    /**
     * Rewrites {@code graph} and its external data file {@code data} (the only one its initializers name) so that
     * each region starts on a {@link #PAGE}.
     *
     * @throws IOException when the graph names another data file, a region lies outside the file, or the files
     *                     cannot be written; the two files are then unusable
     */
    static void align(Path graph, Path data) throws IOException {
        if (Files.size(graph) > MAX_GRAPH_BYTES) {
            throw new IOException(graph + " is over " + MAX_GRAPH_BYTES + " bytes");
        }
        byte[] model = Files.readAllBytes(graph);
        long size = Files.size(data);
        Layout layout = new Layout(data.getFileName().toString(), size);
        byte[] rewritten = layout.model(model);
        try (FileChannel file = FileChannel.open(data, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            move(file, layout.regions);
            file.truncate(layout.end);
            file.force(false);
        }
        Path written = graph.resolveSibling(graph.getFileName() + ".aligned");
        Files.write(written, rewritten);
        Files.move(written, graph, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Moves each region to its place. Every region moves towards the end by the padding before it, so taking them
     * from the last and copying each from its end never overwrites bytes not yet moved.
     */
    private static void move(FileChannel file, List<Region> regions) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        List<Region> lastFirst = new ArrayList<>(regions);
        lastFirst.sort(Comparator.comparingLong(Region::from).reversed());
        for (Region r : lastFirst) {
            if (r.to() == r.from()) {
                continue;
            }
            for (long left = r.length(); left > 0; ) {
                int n = (int) Math.min(buffer.capacity(), left);
                left -= n;
                buffer.clear().limit(n);
                readFully(file, buffer, r.from() + left);
                buffer.flip();
                while (buffer.hasRemaining()) {
                    file.write(buffer, r.to() + left + n - buffer.remaining());
                }
            }
        }
    }

    private static void readFully(FileChannel file, ByteBuffer buffer, long at) throws IOException {
        while (buffer.hasRemaining()) {
            if (file.read(buffer, at + buffer.position()) < 0) {
                throw new IOException("data file ends before " + (at + buffer.limit()));
            }
        }
    }

    /** The new places, given out in file order, and the graph's bytes with its offsets changed to them. */
    private static final class Layout {
        private final String dataName;
        private final long size;
        final List<Region> regions = new ArrayList<>();
        long end;

        Layout(String dataName, long size) {
            this.dataName = dataName;
            this.size = size;
        }

        byte[] model(byte[] model) throws IOException {
            // Offsets are given out in the order of the file, so that every region moves towards its end.
            List<long[]> spans = new ArrayList<>();
            Proto.fields(model, 0, model.length, (field, from, to) -> {
                if (field == MODEL_GRAPH) {
                    Proto.fields(model, from, to, (f, a, b) -> {
                        if (f == GRAPH_INITIALIZER) {
                            for (Entry e : entries(model, a, b)) {
                                spans.addAll(e.spans());
                            }
                        }
                    });
                }
            });
            spans.sort(Comparator.comparingLong(s -> s[0]));
            long cursor = 0;
            for (long[] span : spans) {
                if (span[0] < 0 || span[1] < 0 || span[0] + span[1] > size) {
                    throw new IOException("a tensor lies outside " + dataName + " (" + size + " bytes)");
                }
                long to = Math.max(cursor, span[0]);
                to = (to + PAGE - 1) / PAGE * PAGE;
                if (regions.stream().noneMatch(r -> r.from() == span[0] && r.length() == span[1])) {
                    regions.add(new Region(span[0], span[1], to));
                    cursor = to + span[1];
                }
            }
            end = cursor;
            return Proto.rewrite(model, 0, model.length, MODEL_GRAPH, graph -> Proto.rewrite(graph, 0, graph.length,
                    GRAPH_INITIALIZER, tensor -> Proto.rewrite(tensor, 0, tensor.length, TENSOR_EXTERNAL_DATA,
                            this::entry)));
        }

        /** The tensor's external-data entries (location, offset, length, pre-packed weights). */
        private List<Entry> entries(byte[] b, int from, int to) throws IOException {
            List<Entry> entries = new ArrayList<>();
            String[] location = {null};
            long[] offset = {0};
            long[] length = {-1};
            Proto.fields(b, from, to, (f, a, z) -> {
                if (f == TENSOR_EXTERNAL_DATA) {
                    Entry e = Entry.read(b, a, z);
                    entries.add(e);
                    switch (e.key) {
                        case "location" -> location[0] = e.value;
                        case "offset" -> offset[0] = Long.parseLong(e.value);
                        case "length" -> length[0] = Long.parseLong(e.value);
                        default -> { }
                    }
                }
            });
            if (entries.isEmpty()) {
                return entries;
            }
            if (!dataName.equals(location[0]) || length[0] < 0) {
                throw new IOException("a tensor's external data is " + location[0] + " (length " + length[0]
                        + "), not " + dataName);
            }
            entries.add(new Entry("", offset[0] + ";" + length[0]));
            return entries;
        }

        /** One external-data entry with its offsets moved to their new places. */
        private byte[] entry(byte[] b) throws IOException {
            Entry e = Entry.read(b, 0, b.length);
            String value = switch (e.key) {
                case "offset" -> Long.toString(placeOf(Long.parseLong(e.value), -1));
                default -> e.key.startsWith(PREPACKED) ? e.prepacked(this::placeOf) : e.value;
            };
            return new Entry(e.key, value).bytes();
        }

        private long placeOf(long from, long length) {
            for (Region r : regions) {
                if (r.from() == from && (length < 0 || r.length() == length)) {
                    return r.to();
                }
            }
            throw new IllegalStateException("no place for the region at " + from);
        }
    }

    /** A {@code StringStringEntryProto}: {@code prepacked_<n>} holds {@code <kernel key>|<offset>;<length>;…}. */
    private record Entry(String key, String value) {
        interface Place {
            long of(long from, long length);
        }

        static Entry read(byte[] b, int from, int to) throws IOException {
            String[] kv = {"", ""};
            Proto.fields(b, from, to, (f, a, z) -> {
                if (f == ENTRY_KEY || f == ENTRY_VALUE) {
                    kv[f - 1] = new String(b, a, z - a, StandardCharsets.UTF_8);
                }
            });
            return new Entry(kv[0], kv[1]);
        }

        /** The regions this entry names: {offset, length} pairs. */
        List<long[]> spans() {
            List<long[]> spans = new ArrayList<>();
            if (key.isEmpty()) {
                String[] parts = value.split(";");
                spans.add(new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])});
            } else if (key.startsWith(PREPACKED)) {
                String[] parts = value.split("\\|");
                for (int i = 1; i < parts.length; i++) {
                    String[] fields = parts[i].split(";");
                    spans.add(new long[] {Long.parseLong(fields[0]), Long.parseLong(fields[1])});
                }
            }
            return spans;
        }

        String prepacked(Place place) {
            String[] parts = value.split("\\|");
            StringBuilder out = new StringBuilder(parts[0]);
            for (int i = 1; i < parts.length; i++) {
                String[] fields = parts[i].split(";", 3);
                out.append('|').append(place.of(Long.parseLong(fields[0]), Long.parseLong(fields[1])));
                for (int j = 1; j < fields.length; j++) {
                    out.append(';').append(fields[j]);
                }
            }
            return out.toString();
        }

        byte[] bytes() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Proto.string(out, ENTRY_KEY, key);
            Proto.string(out, ENTRY_VALUE, value);
            return out.toByteArray();
        }
    }
}
