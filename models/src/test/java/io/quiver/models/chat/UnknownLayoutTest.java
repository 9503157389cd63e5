package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.gpu.Placement;
import io.quiver.models.Fixtures;
import io.quiver.models.MemoryEstimate;
import io.quiver.models.ModelKind;
import io.quiver.models.ModelLoadException;
import org.junit.jupiter.api.Test;

/** Folders the chat loader cannot serve fail while loading, with one line that names what is missing. */
class UnknownLayoutTest {
    @Test
    void aDtypeWhoseGraphIsAbsentIsNamed() {
        // The embedded fixture ships fp32 and fp16 only.
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> ChatModel.open(ChatFixture.folder(), Placement.CPU, "q4"));
        assertOneLine(e);
        assertTrue(e.getMessage().endsWith("no ONNX model for onnx-file q4 (looked for onnx/model_q4.onnx, "
                + "model_q4.onnx)"), e.getMessage());
        assertEquals(e.getMessage(), assertThrows(ModelLoadException.class,
                () -> MemoryEstimate.of(ChatFixture.folder(), ModelKind.CHAT, "q4", 0, 1)).getMessage(),
                "the fit check fails the same way, before anything loads");
    }

    @Test
    void aGraphWithoutKvCacheIsNamed() {
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> ChatModel.open(Fixtures.model("tiny-random-bert-intents"), Placement.CPU, null));
        assertOneLine(e);
        assertTrue(e.getMessage().endsWith("model.onnx: decoder graph has no past_key_values inputs (export with KV "
                + "cache)"), e.getMessage());
    }

    private static void assertOneLine(Exception e) {
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }
}
