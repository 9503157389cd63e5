package io.quiver.models.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.gpu.Placement;
import io.quiver.models.Fixtures;
import io.quiver.models.ModelKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The longest input an encoder takes: the tokenizer's model_max_length can lower the position-embedding limit. */
class EncoderMaxLengthTest {
    @TempDir
    Path temp;

    @ParameterizedTest
    @CsvSource({
            "16, 16",
            // transformers' placeholder for a tokenizer without a limit: the 128 positions decide.
            "1000000000000000019884624838656, 128",
            // More than the graph has positions: the positions decide.
            "512, 128"})
    void tokenizerLimitApplies(String modelMaxLength, int expected) throws IOException {
        Path folder = copy(Fixtures.model("tiny-random-bert-intents"));
        Path config = folder.resolve("tokenizer_config.json");
        String text = Files.readString(config);
        assertTrue(text.contains("\"model_max_length\": 128"), "the fixture's tokenizer_config.json changed");
        Files.writeString(config, text.replace("\"model_max_length\": 128", "\"model_max_length\": " + modelMaxLength));
        try (EncoderModel model = EncoderModel.load(folder, ModelKind.CLASSIFIER, Placement.CPU)) {
            assertEquals(expected, model.maxLength());
            Encoding cut = model.encode("alarm ".repeat(300), true, "input");
            assertEquals(expected, cut.length());
            assertEquals(6, model.forward(List.of(cut))[0].length);
        }
    }

    private Path copy(Path source) throws IOException {
        Path target = temp.resolve(source.getFileName());
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(source)) {
            for (Path f : files.toList()) {
                Files.copy(f, target.resolve(f.getFileName()));
            }
        }
        return target;
    }
}
