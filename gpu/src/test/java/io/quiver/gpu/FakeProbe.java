package io.quiver.gpu;

import java.util.List;
import java.util.Optional;

/** Device facts for tests: what a real probe would have found, and how often it was asked. */
final class FakeProbe implements GpuProbe {
    static final long GIB = 1L << 30;
    static final long MIB = 1L << 20;

    private final Discovery discovery;
    int discoveries;

    private FakeProbe(Discovery discovery) {
        this.discovery = discovery;
    }

    static FakeProbe none(String reason) {
        return new FakeProbe(Discovery.none(reason));
    }

    /** One device, cuda:0, with this total and free memory. */
    static FakeProbe card(long totalBytes, long freeBytes) {
        return devices(new GpuDevice(0, "NVIDIA A10", totalBytes, freeBytes));
    }

    static FakeProbe devices(GpuDevice... devices) {
        return new FakeProbe(new Discovery(List.of(devices), ""));
    }

    @Override
    public Discovery discover() {
        discoveries++;
        return discovery;
    }

    @Override
    public Optional<Memory> memory(int device) {
        return discovery.devices().stream().filter(d -> d.index() == device).findFirst()
                .map(d -> new Memory(d.freeBytes(), d.totalBytes()));
    }
}
