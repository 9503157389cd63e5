package io.quiver.models.chat;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Host memory for a KV cache that is sized at load for the whole batch but filled as sequences grow. On Linux it
 * is reserved with an anonymous {@code mmap}, so a page takes RAM only once ONNX Runtime writes into it (Java's own
 * allocators zero the whole region up front, which would make a 6 GB cache resident before the first request);
 * elsewhere it is allocated and zeroed. Freed when the arena closes.
 */
final class KvArena implements AutoCloseable {
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS_NORESERVE = 0x02 | 0x20 | 0x4000;
    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;

    static {
        MethodHandle mmap = null;
        MethodHandle munmap = null;
        if (System.getProperty("os.name", "").toLowerCase().startsWith("linux")) {
            Linker linker = Linker.nativeLinker();
            var libc = linker.defaultLookup();
            mmap = libc.find("mmap").map(f -> linker.downcallHandle(f, FunctionDescriptor.of(ValueLayout.ADDRESS,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG))).orElse(null);
            munmap = libc.find("munmap").map(f -> linker.downcallHandle(f, FunctionDescriptor.of(ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_LONG))).orElse(null);
        }
        MMAP = munmap == null ? null : mmap;
        MUNMAP = munmap;
    }

    private final Arena arena = Arena.ofShared();

    /** A direct, native-order buffer of {@code bytes} (at most 2 GiB, a ByteBuffer's limit). */
    ByteBuffer reserve(long bytes) {
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("one KV tensor of " + bytes + " bytes is over 2 GiB; lower the batch "
                    + "or the context length");
        }
        MemorySegment segment = MMAP == null ? arena.allocate(Math.max(bytes, 1), 64) : mapped(bytes);
        return segment.asSlice(0, bytes).asByteBuffer().order(ByteOrder.nativeOrder());
    }

    private MemorySegment mapped(long bytes) {
        long size = Math.max(bytes, 1);
        MemorySegment address;
        try {
            address = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, size, PROT_READ_WRITE,
                    MAP_PRIVATE_ANONYMOUS_NORESERVE, -1, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("mmap of " + size + " bytes failed", t);
        }
        if (address.address() == -1L) {
            throw new OutOfMemoryError("mmap of " + size + " bytes for the KV cache was refused");
        }
        return address.reinterpret(size, arena, s -> unmap(s, size));
    }

    private static void unmap(MemorySegment segment, long size) {
        try {
            int ignored = (int) MUNMAP.invokeExact(segment, size);
        } catch (Throwable t) {
            throw new IllegalStateException("munmap failed", t);
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
