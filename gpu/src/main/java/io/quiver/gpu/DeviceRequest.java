package io.quiver.gpu;

import java.util.Locale;

/**
 * What {@code quiver.device} asks for: {@code auto} (a GPU when one is present, else the CPU), {@code cpu},
 * {@code cuda} (the first GPU, or fail) or {@code cuda:N} (that GPU, or fail).
 *
 * @param index the requested CUDA ordinal; -1 for auto, cpu and plain cuda
 */
public record DeviceRequest(Kind kind, int index) {
    public enum Kind { AUTO, CPU, CUDA }

    public static final DeviceRequest AUTO = new DeviceRequest(Kind.AUTO, -1);

    public static DeviceRequest parse(String text) {
        String value = text == null ? "auto" : text.strip().toLowerCase(Locale.ROOT);
        switch (value) {
            case "", "auto" -> {
                return AUTO;
            }
            case "cpu" -> {
                return new DeviceRequest(Kind.CPU, -1);
            }
            case "cuda" -> {
                return new DeviceRequest(Kind.CUDA, -1);
            }
            default -> {
                if (value.matches("cuda:\\d{1,3}")) {
                    return new DeviceRequest(Kind.CUDA, Integer.parseInt(value.substring(5)));
                }
                throw new IllegalArgumentException("quiver.device=" + text
                        + " is not a device; use auto, cpu, cuda or cuda:N");
            }
        }
    }

    @Override
    public String toString() {
        return index >= 0 ? "cuda:" + index : kind.name().toLowerCase(Locale.ROOT);
    }
}
