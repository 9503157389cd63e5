package io.quiver.models;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What an ONNX graph file declares, read off its protobuf without loading it (a fit check must know the need
 * before ONNX Runtime allocates anything): the bytes of its weights, inline or in external data files, and the
 * element type of each graph input. Weight bytes are the tensors' own (elements × element size), so a 4-bit graph
 * counts its packed blocks and scales, whatever the files are called.
 *
 * @param weightBytes bytes of every initializer and tensor attribute (Constant, ConstantOfShape)
 * @param inputTypes  graph input name → ONNX element type ({@code TensorProto.DataType})
 * @param opTypes     the operator types of the graph's top-level nodes (how its attention keeps the cache)
 */
public record GraphSummary(long weightBytes, Map<String, Integer> inputTypes, Set<String> opTypes) {
    /** ONNX's element type numbers that the memory estimate needs. */
    public static final int FLOAT = 1;
    public static final int FLOAT16 = 10;
    public static final int BFLOAT16 = 16;

    // Field numbers of onnx.proto3.
    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_INPUT = 11;
    private static final int NODE_OP_TYPE = 4;
    private static final int NODE_ATTRIBUTE = 5;
    private static final int ATTRIBUTE_TENSOR = 5;
    private static final int TENSOR_DIMS = 1;
    private static final int TENSOR_DATA_TYPE = 2;
    private static final int VALUE_NAME = 1;
    private static final int VALUE_TYPE = 2;
    private static final int TYPE_TENSOR = 1;
    private static final int TENSOR_TYPE_ELEM = 1;

    /** Summaries by file, path, size and modification time: a load asks several times (fit, cache, attention). */
    private static final Map<String, GraphSummary> READ = new ConcurrentHashMap<>();

    public static GraphSummary read(Path onnx) {
        String file;
        try {
            file = onnx.toAbsolutePath().normalize() + " " + Files.size(onnx) + " " + Files.getLastModifiedTime(onnx);
        } catch (IOException e) {
            throw new ModelLoadException(onnx, "not a readable ONNX graph: " + e.getMessage(), e);
        }
        return READ.computeIfAbsent(file, f -> parse(onnx));
    }

    private static GraphSummary parse(Path onnx) {
        try (InputStream file = new BufferedInputStream(Files.newInputStream(onnx), 1 << 16)) {
            Wire in = new Wire(file);
            long[] weights = {0};
            Map<String, Integer> inputs = new LinkedHashMap<>();
            Set<String> ops = new HashSet<>();
            in.fields(Long.MAX_VALUE, (field, end) -> {
                if (field == MODEL_GRAPH) {
                    graph(in, end, weights, inputs, ops);
                    return true;
                }
                return false;
            });
            return new GraphSummary(weights[0], Map.copyOf(inputs), Set.copyOf(ops));
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException(onnx, "not a readable ONNX graph: " + e.getMessage(), e);
        }
    }

    /** Bytes per element of an input's type (4 when the input is absent or not a float type). */
    public int elementBytes(String input) {
        Integer type = inputTypes.get(input);
        return type != null && (type == FLOAT16 || type == BFLOAT16) ? 2 : 4;
    }

    private static void graph(Wire in, long end, long[] weights, Map<String, Integer> inputs, Set<String> ops)
            throws IOException {
        in.fields(end, (field, fieldEnd) -> switch (field) {
            case GRAPH_INITIALIZER -> {
                weights[0] += tensorBytes(in, fieldEnd);
                yield true;
            }
            case GRAPH_NODE -> {
                in.fields(fieldEnd, (f, e) -> {
                    if (f == NODE_OP_TYPE) {
                        ops.add(in.string(e));
                        return true;
                    }
                    return f == NODE_ATTRIBUTE && in.fields(e, (g, ge) -> {
                        if (g == ATTRIBUTE_TENSOR) {
                            weights[0] += tensorBytes(in, ge);
                            return true;
                        }
                        return false;
                    });
                });
                yield true;
            }
            case GRAPH_INPUT -> {
                input(in, fieldEnd, inputs);
                yield true;
            }
            default -> false;
        });
    }

    private static long tensorBytes(Wire in, long end) throws IOException {
        long[] elements = {1};
        int[] type = {0};
        in.fields(end, (field, fieldEnd) -> {
            if (field == TENSOR_DIMS) {
                if (fieldEnd >= 0) {
                    while (in.position < fieldEnd) {
                        elements[0] *= in.varint();
                    }
                } else {
                    elements[0] *= in.varint();
                }
                return true;
            }
            if (field == TENSOR_DATA_TYPE) {
                type[0] = (int) in.varint();
                return true;
            }
            return false;
        });
        return switch (type[0]) {
            case 2, 3, 9, 17, 18, 19, 20 -> elements[0];           // 8-bit integers, bool, float8
            case 4, 5, FLOAT16, BFLOAT16 -> 2 * elements[0];
            case 7, 11, 13, 14 -> 8 * elements[0];
            case 15 -> 16 * elements[0];
            case 21, 22, 23 -> (elements[0] + 1) / 2;              // 4-bit types, two to a byte
            default -> 4 * elements[0];                            // float, int32, uint32
        };
    }

    private static void input(Wire in, long end, Map<String, Integer> inputs) throws IOException {
        String[] name = {null};
        int[] type = {0};
        in.fields(end, (field, fieldEnd) -> {
            if (field == VALUE_NAME) {
                name[0] = in.string(fieldEnd);
                return true;
            }
            if (field == VALUE_TYPE) {
                in.fields(fieldEnd, (f, e) -> f == TYPE_TENSOR && in.fields(e, (g, ge) -> {
                    if (g == TENSOR_TYPE_ELEM) {
                        type[0] = (int) in.varint();
                        return true;
                    }
                    return false;
                }));
                return true;
            }
            return false;
        });
        if (name[0] != null) {
            inputs.put(name[0], type[0]);
        }
    }

    /** Protobuf wire format over a stream, skipping what is not read (large weights are seeked past). */
    private static final class Wire {
        private final InputStream in;
        long position;

        Wire(InputStream in) {
            this.in = in;
        }

        /** Reads one field with the stream positioned at its value; returns false to have it skipped. */
        interface Field {
            boolean read(int field, long end) throws IOException;
        }

        /**
         * Walks the fields up to {@code end}. A length-delimited field's reader gets its end; a scalar field's gets
         * -1 and must read the one varint (or return false).
         */
        boolean fields(long end, Field reader) throws IOException {
            while (position < end) {
                long tag;
                try {
                    tag = varint();
                } catch (EOFException e) {
                    if (end == Long.MAX_VALUE) {
                        return true;
                    }
                    throw e;
                }
                int field = (int) (tag >>> 3);
                int wireType = (int) (tag & 7);
                switch (wireType) {
                    case 0 -> {
                        if (!reader.read(field, -1)) {
                            varint();
                        }
                    }
                    case 1 -> skip(8);
                    case 2 -> {
                        long length = varint();
                        long fieldEnd = position + length;
                        if (reader.read(field, fieldEnd)) {
                            skip(fieldEnd - position);
                        } else {
                            skip(length);
                        }
                    }
                    case 5 -> skip(4);
                    default -> throw new IOException("unsupported protobuf wire type " + wireType);
                }
            }
            return true;
        }

        long varint() throws IOException {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = in.read();
                if (b < 0) {
                    throw new EOFException("truncated");
                }
                position++;
                value |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new IOException("malformed varint");
        }

        String string(long end) throws IOException {
            byte[] bytes = in.readNBytes((int) (end - position));
            position += bytes.length;
            return new String(bytes, StandardCharsets.UTF_8);
        }

        void skip(long n) throws IOException {
            if (n < 0) {
                throw new IOException("field overran its message");
            }
            long left = n;
            while (left > 0) {
                long skipped = in.skip(left);
                if (skipped <= 0) {
                    if (in.read() < 0) {
                        throw new EOFException("truncated");
                    }
                    skipped = 1;
                }
                left -= skipped;
            }
            position += n;
        }
    }
}
