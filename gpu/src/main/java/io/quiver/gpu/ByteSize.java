package io.quiver.gpu;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Memory sizes as operators write them: {@code 8589934592}, {@code 8Gi}, {@code 8G}, {@code 8GiB}, {@code 1024m}.
 * Every suffix is a power of 1024, whatever its spelling: HAMi ({@code 1g}), MPS ({@code 1G}) and Quarkus
 * ({@code 1G}) all mean GiB, and one rule for all of them keeps a budget from silently shrinking by 7%.
 */
public final class ByteSize {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(i?b?)");
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

    private ByteSize() {
    }

    /**
     * @param text a size; a bare number is bytes
     * @param what the setting it came from, named in the error
     * @throws IllegalArgumentException when the text is not a size
     */
    public static long parse(String text, String what) {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches() || (m.group(2).isEmpty() && !m.group(3).isEmpty() && !m.group(3).equals("b"))) {
            throw new IllegalArgumentException(what + "=" + text
                    + " is not a memory size (examples: 8589934592, 8Gi, 8G, 8GiB, 1024m)");
        }
        int power = switch (m.group(2)) {
            case "k" -> 1;
            case "m" -> 2;
            case "g" -> 3;
            case "t" -> 4;
            default -> 0;
        };
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(1024).pow(power));
        return bytes.longValue();
    }

    /** Units of 1024 with one decimal, as nvidia-smi users read them: {@code 7.5 GiB}. */
    public static String format(long bytes) {
        double value = bytes;
        int unit = 0;
        while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
    }
}
