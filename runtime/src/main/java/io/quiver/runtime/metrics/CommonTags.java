package io.quiver.runtime.metrics;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Labels every meter with the Knative revision ({@code K_REVISION}, "local" outside Knative), and with the
 * service and configuration when Knative sets them, so dashboards can split canaries.
 */
@Singleton
public class CommonTags {

    @Produces
    @Singleton
    public MeterFilter knativeTags() {
        return MeterFilter.commonTags(tags(System.getenv()));
    }

    static List<Tag> tags(Map<String, String> env) {
        List<Tag> tags = new ArrayList<>();
        tags.add(Tag.of("revision", env.getOrDefault("K_REVISION", "local")));
        if (env.containsKey("K_SERVICE")) {
            tags.add(Tag.of("service", env.get("K_SERVICE")));
        }
        if (env.containsKey("K_CONFIGURATION")) {
            tags.add(Tag.of("configuration", env.get("K_CONFIGURATION")));
        }
        return tags;
    }
}
