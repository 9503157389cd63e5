package io.quiver.gpu;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Two tiny ONNX graphs written as protobuf bytes by hand, so the session tests need no fixture file and no onnx
 * library: {@code add} (y = x + 1, float[2,3]) and {@code conv} (a 3×3 all-ones kernel over a 1×1×4×4 image).
 */
final class TinyOnnx {
    private TinyOnnx() {
    }

    /** y = x + c with c = 1, x and y float[2,3]. */
    static byte[] add() {
        Proto graph = new Proto()
                .message(1, node("Add", new String[] {"x", "c"}, "y"))
                .string(2, "tiny_add")
                .message(5, tensor("c", new long[] {2, 3}, new float[] {1, 1, 1, 1, 1, 1}))
                .message(11, valueInfo("x", 2, 3))
                .message(12, valueInfo("y", 2, 3));
        return model(graph);
    }

    /** y = Conv(x, w) with w all ones [1,1,3,3]: each output is the sum of a 3×3 window; x [1,1,4,4], y [1,1,2,2]. */
    static byte[] conv() {
        float[] ones = new float[9];
        java.util.Arrays.fill(ones, 1f);
        Proto graph = new Proto()
                .message(1, node("Conv", new String[] {"x", "w"}, "y"))
                .string(2, "tiny_conv")
                .message(5, tensor("w", new long[] {1, 1, 3, 3}, ones))
                .message(11, valueInfo("x", 1, 1, 4, 4))
                .message(12, valueInfo("y", 1, 1, 2, 2));
        return model(graph);
    }

    private static byte[] model(Proto graph) {
        return new Proto()
                .varint(1, 8) // ir_version
                .string(2, "quiver-gpu-test")
                .message(7, graph)
                .message(8, new Proto().string(1, "").varint(2, 17)) // opset 17
                .bytes();
    }

    private static Proto node(String op, String[] inputs, String output) {
        Proto node = new Proto();
        for (String input : inputs) {
            node.string(1, input);
        }
        return node.string(2, output).string(3, op.toLowerCase()).string(4, op);
    }

    private static Proto tensor(String name, long[] dims, float[] values) {
        Proto tensor = new Proto();
        for (long dim : dims) {
            tensor.varint(1, dim);
        }
        tensor.varint(2, 1); // FLOAT
        ByteArrayOutputStream packed = new ByteArrayOutputStream();
        for (float value : values) {
            int bits = Float.floatToIntBits(value);
            for (int i = 0; i < 4; i++) {
                packed.write(bits >>> (8 * i));
            }
        }
        return tensor.string(8, name).raw(9, packed.toByteArray());
    }

    private static Proto valueInfo(String name, long... dims) {
        Proto shape = new Proto();
        for (long dim : dims) {
            shape.message(1, new Proto().varint(1, dim));
        }
        Proto tensorType = new Proto().varint(1, 1).message(2, shape);
        return new Proto().string(1, name).message(2, new Proto().message(1, tensorType));
    }

    /** Just enough of the protobuf wire format: varints and length-delimited fields. */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(int field, long value) {
            writeVarint((long) field << 3);
            writeVarint(value);
            return this;
        }

        Proto string(int field, String value) {
            return raw(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto message) {
            return raw(field, message.bytes());
        }

        Proto raw(int field, byte[] value) {
            writeVarint(((long) field << 3) | 2);
            writeVarint(value.length);
            out.writeBytes(value);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        private void writeVarint(long value) {
            while ((value & ~0x7FL) != 0) {
                out.write((int) ((value & 0x7F) | 0x80));
                value >>>= 7;
            }
            out.write((int) value);
        }
    }
}
