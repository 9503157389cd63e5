package io.quiver.bench.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a {@code .safetensors} file (8-byte little-endian header length, JSON header, raw data): each tensor's
 * dtype and shape, and its bytes as a memory-mapped buffer (one mapping per tensor, so files past 2 GB work).
 */
public final class Safetensors implements AutoCloseable {
    /** One tensor's header entry. */
    public record Entry(String dtype, long[] shape, long begin, long end) {
    }

    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    private Safetensors(FileChannel channel) throws IOException {
        this.channel = channel;
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        channel.read(len, 0);
        long headerLength = len.flip().getLong();
        ByteBuffer header = ByteBuffer.allocate((int) headerLength);
        channel.read(header, 8);
        this.dataStart = 8 + headerLength;
        JsonNode json = new ObjectMapper().readTree(new String(header.array(), StandardCharsets.UTF_8));
        for (var field : json.properties()) {
            if (field.getKey().equals("__metadata__")) {
                continue;
            }
            JsonNode e = field.getValue();
            long[] shape = new long[e.path("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = e.path("shape").get(i).asLong();
            }
            entries.put(field.getKey(), new Entry(e.path("dtype").asText(), shape,
                    e.path("data_offsets").get(0).asLong(), e.path("data_offsets").get(1).asLong()));
        }
    }

    public static Safetensors open(Path file) throws IOException {
        return new Safetensors(FileChannel.open(file));
    }

    public Map<String, Entry> entries() {
        return entries;
    }

    public ByteBuffer data(String name) throws IOException {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IOException("no tensor " + name);
        }
        return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), e.end() - e.begin())
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
