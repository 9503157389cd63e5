package io.quiver.models;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Protocol-buffer wire format over a message's bytes in memory: visiting its length-delimited fields, and copying it
 * with one field's values replaced (every other field kept byte for byte). Enough to change a few strings deep in
 * an ONNX graph without a schema.
 */
final class Proto {
    private Proto() {
    }

    /** A length-delimited field's value, bytes [from, to) of the message. */
    interface Visitor {
        void field(int number, int from, int to) throws IOException;
    }

    /** A new value for a length-delimited field, from its old one. */
    interface Rewriter {
        byte[] apply(byte[] value) throws IOException;
    }

    /** A length-delimited field with where its tag starts. */
    private interface Located {
        void field(int number, int tagStart, int from, int to) throws IOException;
    }

    /** Visits the length-delimited fields of the message in bytes [from, to); other fields are skipped. */
    static void fields(byte[] b, int from, int to, Visitor visitor) throws IOException {
        walk(b, from, to, (number, tagStart, a, z) -> visitor.field(number, a, z));
    }

    /** The message in bytes [from, to) with each value of the length-delimited field {@code number} rewritten. */
    static byte[] rewrite(byte[] b, int from, int to, int number, Rewriter rewriter) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        int[] copied = {from};
        walk(b, from, to, (n, tagStart, a, z) -> {
            if (n == number) {
                out.write(b, copied[0], tagStart - copied[0]);
                byte[] value = rewriter.apply(Arrays.copyOfRange(b, a, z));
                writeVarint(out, (long) n << 3 | 2);
                writeVarint(out, value.length);
                out.write(value, 0, value.length);
                copied[0] = z;
            }
        });
        out.write(b, copied[0], to - copied[0]);
        return out.toByteArray();
    }

    private static void walk(byte[] b, int from, int to, Located visitor) throws IOException {
        int[] at = {from};
        while (at[0] < to) {
            int tagStart = at[0];
            long tag = varint(b, at, to);
            switch ((int) (tag & 7)) {
                case 0 -> varint(b, at, to);
                case 1 -> at[0] = skip(at[0], 8, to);
                case 2 -> {
                    long length = varint(b, at, to);
                    int start = at[0];
                    at[0] = skip(start, length, to);
                    visitor.field((int) (tag >>> 3), tagStart, start, at[0]);
                }
                case 5 -> at[0] = skip(at[0], 4, to);
                default -> throw new IOException("unsupported protobuf wire type " + (tag & 7));
            }
        }
    }

    /** Writes a string field. */
    static void string(ByteArrayOutputStream out, int number, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        writeVarint(out, (long) number << 3 | 2);
        writeVarint(out, bytes.length);
        out.write(bytes, 0, bytes.length);
    }

    private static long varint(byte[] b, int[] at, int to) throws IOException {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (at[0] >= to) {
                throw new IOException("truncated protobuf message");
            }
            int x = b[at[0]++];
            value |= (long) (x & 0x7f) << shift;
            if ((x & 0x80) == 0) {
                return value;
            }
        }
        throw new IOException("malformed varint");
    }

    private static int skip(int at, long n, int to) throws IOException {
        if (n < 0 || n > to - at) {
            throw new IOException("a protobuf field overruns its message");
        }
        return (int) (at + n);
    }

    private static void writeVarint(ByteArrayOutputStream out, long value) {
        long v = value;
        while ((v & ~0x7fL) != 0) {
            out.write((int) (v & 0x7f | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
