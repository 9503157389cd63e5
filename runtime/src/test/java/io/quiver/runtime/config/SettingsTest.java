package io.quiver.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The one reading of settings shared by the launch and the configuration. */
class SettingsTest {

    @Test
    void modelNamesOfSeveralWordsMapFromTheEnvironment() {
        assertEquals("quiver.models.my-embed.path", Settings.keyOf("QUIVER_MODELS_MY_EMBED_PATH"));
        assertEquals("quiver.models.tiny-random-deepseek-r1.onnx-file",
                Settings.keyOf("QUIVER_MODELS_TINY_RANDOM_DEEPSEEK_R1_ONNX_FILE"));
        // The longest model key that ends the name wins: max-batch-delay, not max-batch of "x-…".
        assertEquals("quiver.models.x.max-batch-delay", Settings.keyOf("QUIVER_MODELS_X_MAX_BATCH_DELAY"));
        assertEquals("quiver.models.x.max-batch", Settings.keyOf("QUIVER_MODELS_X_MAX_BATCH"));
        assertEquals("quiver.models.path.path", Settings.keyOf("QUIVER_MODELS_PATH_PATH"));
        assertEquals("quiver.concurrency.reject-status", Settings.keyOf("QUIVER_CONCURRENCY_REJECT_STATUS"));
        assertEquals("QUIVER_MODELS_MY_EMBED_PATH", Settings.envOf("quiver.models.my-embed.path"));
    }

    @Test
    void adaptersAreNameFilePairsWhoseNamesARequestCanSay() {
        assertEquals(Map.of("alpha", "adapters/alpha.onnx_adapter", "b-2.x", "/srv/b.onnx_adapter"),
                Adapters.parse(" alpha=adapters/alpha.onnx_adapter, b-2.x=/srv/b.onnx_adapter"));
        assertEquals("quiver.models.my-chat.adapters", Settings.keyOf("QUIVER_MODELS_MY_CHAT_ADAPTERS"));
        assertEquals("quiver.models.my-chat.max-adapters", Settings.keyOf("QUIVER_MODELS_MY_CHAT_MAX_ADAPTERS"));
        Settings.check("quiver.models.m.adapters", "alpha=a.onnx_adapter");
        for (String bad : new String[] {"alpha", "a:b=x.onnx_adapter", "=x", "a=", "a=x,a=y", "a/b=x"}) {
            var e = assertThrows(Settings.Invalid.class, () -> Settings.check("quiver.models.m.adapters", bad));
            assertTrue(e.getMessage().contains("name=file"), e.getMessage());
        }
    }

    @Test
    void anUnknownNameFailsNamingItAndTheNearestKnownOne() {
        var e = assertThrows(Settings.Invalid.class, () -> Settings.fromEnvironment(
                Map.of("QUIVER_CONCURENCY_MAX", "2")));
        assertTrue(e.getMessage().startsWith("QUIVER_CONCURENCY_MAX is not a Quiver setting (did you mean "
                + "QUIVER_CONCURRENCY_MAX"), e.getMessage());
        e = assertThrows(Settings.Invalid.class, () -> Settings.keyOf("QUIVER_MODELS_MY_EMBED_PATHS"));
        assertTrue(e.getMessage().contains("ONNX_FILE"), e.getMessage());
        e = assertThrows(Settings.Invalid.class, () -> Settings.keyOf("QUIVER_MODELS_PATH"));
        assertTrue(e.getMessage().contains("QUIVER_MODELS_<NAME>_"), "a model needs a name: " + e.getMessage());
        e = assertThrows(Settings.Invalid.class, () -> Settings.check("quiver.models.m.pth", "x"));
        assertTrue(e.getMessage().contains("quiver.models.m.pth"), e.getMessage());
    }

    @Test
    void theScriptsOwnVariablesAreNotSettings() {
        assertEquals(Map.of(), Settings.fromEnvironment(Map.of("QUIVER_SMOLLM2_DIR", "/x", "PATH", "/bin")));
        // The bench scripts' folders: a server that `bench/cold-start-r1.sh` starts inherits them.
        assertEquals(Map.of(), Settings.fromEnvironment(Map.of("QUIVER_R1_SHAPE_DIR", "/s", "QUIVER_R1_GGUF_DIR",
                "/g", "QUIVER_PEERS_DIR", "/p")));
    }

    @Test
    void outOfRangeValuesFailNamingTheKeyAndTheAllowedValues() {
        var e = assertThrows(Settings.Invalid.class, () -> Settings.atLaunch(
                Map.of("QUIVER_CONCURRENCY_REJECT_STATUS", "500"), new Properties()));
        assertEquals("quiver.concurrency.reject-status (QUIVER_CONCURRENCY_REJECT_STATUS) is '500'; allowed: "
                + "503 or 429", e.getMessage());
        e = assertThrows(Settings.Invalid.class, () -> Settings.check("quiver.concurrency.max", "0"));
        assertTrue(e.getMessage().contains("at least 1"), e.getMessage());
        for (var bad : Map.of("quiver.device", "gpu", "quiver.shutdown.grace", "-1s", "quiver.concurrency.queue",
                "many", "quiver.gpu.memory-utilization", "1.5", "quiver.models.m.kind", "llm",
                "quiver.models.m.context-length", "0", "quiver.max-body-size", "big").entrySet()) {
            assertThrows(Settings.Invalid.class, () -> Settings.check(bad.getKey(), bad.getValue()), bad::toString);
        }
        for (var good : Map.of("quiver.device", "cuda:1", "quiver.shutdown.grace", "0s", "quiver.models.m.kind",
                "chat", "quiver.gpu.memory-budget", "8Gi", "quiver.cache-dir", "${java.io.tmpdir}/q").entrySet()) {
            Settings.check(good.getKey(), good.getValue());
        }
    }

    @Test
    void systemPropertiesWinOverTheEnvironmentAtLaunch() {
        Properties system = new Properties();
        system.setProperty("quiver.models.my-embed.path", "/b");
        system.setProperty("java.home", "/jdk");
        assertEquals(Map.of("quiver.models.my-embed.path", "/b", "quiver.device", "cpu"), Settings.atLaunch(
                Map.of("QUIVER_MODELS_MY_EMBED_PATH", "/a", "QUIVER_DEVICE", "cpu"), system));
    }

    /** Every key of the configuration interface has a rule, and no rule names a key it does not have. */
    @Test
    void theRulesMirrorTheConfiguration() {
        assertEquals(ConfigurationPage.declared(QuiverConfig.class).keySet(), new TreeSet<>(Settings.KEYS.keySet()));
        assertEquals(ConfigurationPage.declared(QuiverConfig.Model.class).keySet(),
                new TreeSet<>(Settings.MODEL_KEYS.keySet()));
    }
}
