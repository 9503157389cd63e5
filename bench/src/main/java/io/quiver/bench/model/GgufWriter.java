package io.quiver.bench.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal GGUF v3 writer (the file format llama.cpp loads): header, typed metadata, tensor infos, then the
 * tensor data, each aligned to {@code general.alignment} (32). Only what a float32 export needs: tensors are
 * written as given (GGML type F32 = 0), with the dimensions in GGUF order (innermost first), i.e. a PyTorch
 * {@code [rows, cols]} tensor is {@code [cols, rows]} here with the same bytes.
 */
public final class GgufWriter {
    public static final int MAGIC = 0x46554747; // "GGUF" little-endian
    public static final int VERSION = 3;
    public static final int ALIGNMENT = 32;
    public static final int GGML_TYPE_F32 = 0;

    private record Kv(String key, GgufType type, Object value, GgufType elementType) {
    }

    /** A tensor to write; {@code data} is read from its position to its limit. */
    public record Tensor(String name, long[] ggufDims, int ggmlType, ByteBuffer data) {
    }

    private final List<Kv> metadata = new ArrayList<>();
    private final List<Tensor> tensors = new ArrayList<>();

    public GgufWriter string(String key, String value) {
        metadata.add(new Kv(key, GgufType.STRING, value, null));
        return this;
    }

    public GgufWriter uint32(String key, long value) {
        metadata.add(new Kv(key, GgufType.UINT32, value, null));
        return this;
    }

    public GgufWriter float32(String key, double value) {
        metadata.add(new Kv(key, GgufType.FLOAT32, value, null));
        return this;
    }

    public GgufWriter bool(String key, boolean value) {
        metadata.add(new Kv(key, GgufType.BOOL, value, null));
        return this;
    }

    public GgufWriter strings(String key, List<String> values) {
        metadata.add(new Kv(key, GgufType.ARRAY, values, GgufType.STRING));
        return this;
    }

    public GgufWriter int32s(String key, int[] values) {
        metadata.add(new Kv(key, GgufType.ARRAY, values, GgufType.INT32));
        return this;
    }

    public GgufWriter tensor(String name, long[] ggufDims, ByteBuffer f32Data) {
        long elements = 1;
        for (long d : ggufDims) {
            elements *= d;
        }
        if (elements * 4 != f32Data.remaining()) {
            throw new IllegalArgumentException(name + ": " + elements + " floats but " + f32Data.remaining() + " bytes");
        }
        tensors.add(new Tensor(name, ggufDims, GGML_TYPE_F32, f32Data));
        return this;
    }

    public void write(Path file) throws IOException {
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            Sink head = new Sink();
            head.u32(MAGIC).u32(VERSION).u64(tensors.size()).u64(metadata.size());
            for (Kv kv : metadata) {
                head.str(kv.key()).u32(kv.type().ordinal());
                value(head, kv);
            }
            long offset = 0;
            for (Tensor t : tensors) {
                head.str(t.name()).u32(t.ggufDims().length);
                for (long d : t.ggufDims()) {
                    head.u64(d);
                }
                head.u32(t.ggmlType()).u64(offset);
                offset = align(offset + t.data().remaining());
            }
            head.pad();
            head.drainTo(out);
            for (Tensor t : tensors) {
                ByteBuffer data = t.data().duplicate();
                long size = data.remaining();
                while (data.hasRemaining()) {
                    out.write(data);
                }
                ByteBuffer pad = ByteBuffer.allocate((int) (align(size) - size));
                while (pad.hasRemaining()) {
                    out.write(pad);
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void value(Sink s, Kv kv) {
        switch (kv.type()) {
            case STRING -> s.str((String) kv.value());
            case UINT32 -> s.u32((Long) kv.value());
            case FLOAT32 -> s.f32(((Double) kv.value()).floatValue());
            case BOOL -> s.u8((Boolean) kv.value() ? 1 : 0);
            case ARRAY -> {
                s.u32(kv.elementType().ordinal());
                if (kv.elementType() == GgufType.STRING) {
                    List<String> values = (List<String>) kv.value();
                    s.u64(values.size());
                    values.forEach(s::str);
                } else {
                    int[] values = (int[]) kv.value();
                    s.u64(values.length);
                    for (int v : values) {
                        s.u32(v);
                    }
                }
            }
            default -> throw new IllegalStateException("unsupported metadata type " + kv.type());
        }
    }

    static long align(long n) {
        return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    /** A growable little-endian buffer for the header (a few MB with a 128k-token vocabulary). */
    private static final class Sink {
        private ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);

        private Sink room(int n) {
            if (buf.remaining() < n) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n))
                        .order(ByteOrder.LITTLE_ENDIAN);
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
            return this;
        }

        Sink u8(int v) {
            room(1).buf.put((byte) v);
            return this;
        }

        Sink u32(long v) {
            room(4).buf.putInt((int) v);
            return this;
        }

        Sink u64(long v) {
            room(8).buf.putLong(v);
            return this;
        }

        Sink f32(float v) {
            room(4).buf.putFloat(v);
            return this;
        }

        Sink str(String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            u64(bytes.length);
            room(bytes.length).buf.put(bytes);
            return this;
        }

        void pad() {
            while (buf.position() % ALIGNMENT != 0) {
                u8(0);
            }
        }

        void drainTo(FileChannel out) throws IOException {
            buf.flip();
            while (buf.hasRemaining()) {
                out.write(buf);
            }
        }
    }
}
