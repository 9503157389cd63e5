package io.quiver.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md is what {@link ConfigurationPage} makes of the settings' declarations, never a hand-kept
 * copy: a setting added, renamed, re-defaulted or re-described in QuiverConfig or Settings fails this test until the
 * page is regenerated ({@code -Ddocs.write=true} writes it).
 */
class ConfigurationPageTest {

    static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(ConfigurationPage.SOURCE))) {
                return dir;
            }
        }
        throw new AssertionError("no " + ConfigurationPage.SOURCE + " above " + Path.of("").toAbsolutePath());
    }

    @Test
    void thePageIsTheDeclarations() throws IOException {
        Path root = root();
        Path page = root.resolve(ConfigurationPage.PAGE);
        String made = ConfigurationPage.render(root);
        if (Boolean.getBoolean("docs.write")) {
            Files.writeString(page, made);
        }
        String kept = Files.exists(page) ? Files.readString(page) : "";
        if (!kept.equals(made)) {
            fail(ConfigurationPage.PAGE + " differs from the settings' declarations (QuiverConfig.java, "
                    + "Settings.java); it is generated, not edited: regenerate it with\n  "
                    + ConfigurationPage.REGENERATE + "\nand commit it. First difference, line "
                    + firstDifference(kept, made));
        }
    }

    /** Every key appears with its environment name, its default and the javadoc written above it. */
    @Test
    void eachKeyCarriesItsDeclaration() throws IOException {
        String made = ConfigurationPage.render(root());
        assertTrue(made.contains("| `quiver.concurrency.max` | `QUIVER_CONCURRENCY_MAX` | `8` | a whole number of "
                + "at least 1 | Inference work executing at once"), made);
        assertTrue(made.contains("| `quiver.models.<name>.path` | `QUIVER_MODELS_<NAME>_PATH` | required | a model "
                + "folder or embedded:\\<name> |"), made);
        assertTrue(made.contains("| `quiver.gpu.memory-budget` | `QUIVER_GPU_MEMORY_BUDGET` | unset |"), made);
        assertTrue(made.contains("`api-key`: As every inference route"), "an enum's constants: " + made);
        for (var keys : Map.of("", Settings.KEYS, "models.<name>.", Settings.MODEL_KEYS).entrySet()) {
            for (String key : keys.getValue().keySet()) {
                String full = Settings.PREFIX + keys.getKey() + key;
                assertTrue(made.contains("| `" + full + "` | `" + Settings.envOf(full) + "` |"), full);
            }
        }
    }

    @Test
    void javadocBecomesMarkdown() throws IOException {
        Map<String, String> docs = ConfigurationPage.javadoc(root().resolve(ConfigurationPage.SOURCE));
        assertEquals("Chat: split `<think>…</think>` into the message's reasoning (`quiver.reasoning-field`); off, "
                + "all text is content.",
                docs.get("QuiverConfig.Model#reasoning"));
        assertEquals("Who may deliver CloudEvents to `/events`.", docs.get("QuiverConfig.EventsAuth"));
    }

    private static String firstDifference(String kept, String made) {
        String[] a = kept.split("\n", -1);
        String[] b = made.split("\n", -1);
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String x = i < a.length ? a[i] : "(end of file)";
            String y = i < b.length ? b[i] : "(end of page)";
            if (!x.equals(y)) {
                return (i + 1) + ":\n  file: " + x + "\n  made: " + y;
            }
        }
        return "?";
    }
}
