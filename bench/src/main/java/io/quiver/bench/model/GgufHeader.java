package io.quiver.bench.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a GGUF file's header back: metadata (arrays as Java lists) and tensor infos. Used to check what was
 * written before handing the file to llama.cpp, which would otherwise fail with a terse message.
 */
public record GgufHeader(int version, Map<String, Object> metadata, List<TensorInfo> tensors, long dataOffset) {

    public record TensorInfo(String name, long[] dims, int ggmlType, long offset) {
    }

    public static GgufHeader read(Path file) throws IOException {
        try (FileChannel in = FileChannel.open(file)) {
            long headerBytes = Math.min(in.size(), 64L << 20);
            ByteBuffer b = in.map(FileChannel.MapMode.READ_ONLY, 0, headerBytes).order(ByteOrder.LITTLE_ENDIAN);
            if (b.getInt() != GgufWriter.MAGIC) {
                throw new IOException(file + " is not a GGUF file");
            }
            int version = b.getInt();
            long tensorCount = b.getLong();
            long kvCount = b.getLong();
            Map<String, Object> metadata = new LinkedHashMap<>();
            for (long i = 0; i < kvCount; i++) {
                String key = str(b);
                metadata.put(key, value(b, GgufType.of(b.getInt())));
            }
            long alignment = metadata.get("general.alignment") instanceof Number n ? n.longValue() : 32;
            List<TensorInfo> tensors = new ArrayList<>();
            for (long i = 0; i < tensorCount; i++) {
                String name = str(b);
                long[] dims = new long[b.getInt()];
                for (int d = 0; d < dims.length; d++) {
                    dims[d] = b.getLong();
                }
                tensors.add(new TensorInfo(name, dims, b.getInt(), b.getLong()));
            }
            long data = (b.position() + alignment - 1) / alignment * alignment;
            return new GgufHeader(version, metadata, tensors, data);
        }
    }

    private static Object value(ByteBuffer b, GgufType type) {
        return switch (type) {
            case UINT8 -> (long) Byte.toUnsignedInt(b.get());
            case INT8 -> (long) b.get();
            case UINT16 -> (long) Short.toUnsignedInt(b.getShort());
            case INT16 -> (long) b.getShort();
            case UINT32 -> Integer.toUnsignedLong(b.getInt());
            case INT32 -> (long) b.getInt();
            case FLOAT32 -> (double) b.getFloat();
            case BOOL -> b.get() != 0;
            case STRING -> str(b);
            case UINT64, INT64 -> b.getLong();
            case FLOAT64 -> b.getDouble();
            case ARRAY -> {
                GgufType element = GgufType.of(b.getInt());
                long n = b.getLong();
                List<Object> values = new ArrayList<>((int) n);
                for (long i = 0; i < n; i++) {
                    values.add(value(b, element));
                }
                yield values;
            }
        };
    }

    private static String str(ByteBuffer b) {
        byte[] bytes = new byte[(int) b.getLong()];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
