package io.quiver.runtime.config;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Model settings from environment variables, read with {@link Settings}' mapping: the framework's own reading of
 * the environment cannot tell where a name of several words ends ({@code QUIVER_MODELS_MY_EMBED_PATH}). Unknown
 * names are left to {@link Settings#checkAll}, which fails the start on them.
 */
public class ModelEnvSource implements ConfigSource {
    private final Map<String, String> properties = new HashMap<>();

    public ModelEnvSource() {
        System.getenv().forEach((name, value) -> {
            if (name.startsWith(Settings.ENV_PREFIX + "MODELS_")) {
                try {
                    properties.put(Settings.keyOf(name), value);
                } catch (Settings.Invalid unknown) {
                    // reported by Settings.checkAll
                }
            }
        });
    }

    @Override
    public Set<String> getPropertyNames() {
        return properties.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return properties.get(propertyName);
    }

    @Override
    public String getName() {
        return "EnvModelsConfigSource";
    }

    @Override
    public int getOrdinal() {
        return 300; // the environment's own
    }
}
