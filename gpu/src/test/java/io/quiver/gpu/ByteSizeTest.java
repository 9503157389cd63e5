package io.quiver.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteSizeTest {
    @ParameterizedTest(name = "{0} = {1} bytes")
    @CsvSource({
        "8589934592, 8589934592",
        "512B, 512",
        "4k, 4096",
        "1024m, 1073741824",
        "1024M, 1073741824",
        "512Mi, 536870912",
        "512MiB, 536870912",
        "512MB, 536870912",
        "1g, 1073741824",
        "8G, 8589934592",
        "8Gi, 8589934592",
        "8GiB, 8589934592",
        "1.5Gi, 1610612736",
        "' 2 GiB ', 2147483648",
        "1T, 1099511627776",
    })
    void parsesEverySpellingAsPowersOf1024(String text, long bytes) {
        assertEquals(bytes, ByteSize.parse(text, "test"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "lots", "-1G", "8Gx", "8i", "G8", "1,5G"})
    void rejectsWhatIsNotASizeNamingTheSetting(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ByteSize.parse(text, "quiver.gpu.memory-budget"));
        assertTrue(e.getMessage().startsWith("quiver.gpu.memory-budget=" + text), e.getMessage());
    }

    @Test
    void formatsInBinaryUnits() {
        assertEquals("512 B", ByteSize.format(512));
        assertEquals("1.5 GiB", ByteSize.format(1536L << 20));
        assertEquals("256.0 MiB", ByteSize.format(256L << 20));
    }
}
