package io.quiver.models.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.gpu.Placement;
import io.quiver.models.EmbeddedModels;
import io.quiver.models.Fixtures;
import io.quiver.models.InvalidRequestException;
import io.quiver.models.ModelKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A body of megabytes costs an encoder no more tokenising than its maximum length allows. */
class EncoderInputBoundsTest {
    private static final String HUGE = "Scaling inference pods from zero when traffic arrives. ".repeat(40_000);
    private static EncoderModel minilm;

    @BeforeAll
    static void load() {
        minilm = EncoderModel.load(Fixtures.model(EmbeddedModels.MINILM), ModelKind.EMBEDDING, Placement.CPU);
    }

    @AfterAll
    static void close() {
        minilm.close();
    }

    @Test
    void aHugeInputIsRefusedFromItsPrefix() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> minilm.encode(HUGE, false, "input"));
        assertTrue(e.getMessage().contains("more than") && e.getMessage().contains("256"), e.getMessage());
        assertEquals("input", e.param());
    }

    @Test
    void aTruncatedHugeInputKeepsTheSameTokensAsTruncatingTheWholeText() {
        Encoding cut = minilm.encode(HUGE, true, "input");
        Encoding reference = minilm.encode(HUGE.substring(0, 20_000), true, "input");
        assertTrue(cut.truncated());
        assertEquals(256, cut.length());
        assertArrayEquals(reference.ids(), cut.ids());
    }

    @Test
    void pairsAreBoundedOnBothSides() {
        assertThrows(InvalidRequestException.class, () -> minilm.encodePair("query", HUGE, false, "texts[0]"));
        Encoding cut = minilm.encodePair(HUGE, "document", true, "texts[0]");
        assertEquals(256, cut.length());
    }
}
