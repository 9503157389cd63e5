package io.quiver.bench.model;

/** GGUF metadata value types (ggml's gguf.h, format version 3). */
public enum GgufType {
    UINT8, INT8, UINT16, INT16, UINT32, INT32, FLOAT32, BOOL, STRING, ARRAY, UINT64, INT64, FLOAT64;

    public static GgufType of(int id) {
        return values()[id];
    }

    /** Fixed size in bytes, or -1 for strings and arrays. */
    public int size() {
        return switch (this) {
            case UINT8, INT8, BOOL -> 1;
            case UINT16, INT16 -> 2;
            case UINT32, INT32, FLOAT32 -> 4;
            case UINT64, INT64, FLOAT64 -> 8;
            case STRING, ARRAY -> -1;
        };
    }
}
