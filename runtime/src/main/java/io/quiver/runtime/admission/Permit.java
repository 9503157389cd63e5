package io.quiver.runtime.admission;

/** A running slot under the pod cap; closing it (exactly once) frees the slot for the next request in line. */
public interface Permit extends AutoCloseable {
    @Override
    void close();
}
