package io.quiver.models.diffusion;

import io.quiver.models.InvalidRequestException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The schedulers a request can name: by short name ({@code euler}, {@code ddim}, {@code pndm}, {@code lcm}) or by
 * the diffusers class name in {@code scheduler_config.json} ({@code EulerDiscreteScheduler}, ...), any case.
 */
public enum SchedulerKind {
    EULER("euler", "EulerDiscreteScheduler"),
    DDIM("ddim", "DDIMScheduler"),
    PNDM("pndm", "PNDMScheduler"),
    LCM("lcm", "LCMScheduler");

    private final String shortName;
    private final String className;

    SchedulerKind(String shortName, String className) {
        this.shortName = shortName;
        this.className = className;
    }

    public String shortName() {
        return shortName;
    }

    public String className() {
        return className;
    }

    public static List<String> names() {
        return Arrays.stream(values()).map(SchedulerKind::shortName).toList();
    }

    /** The kind a request names; an unknown name is a 400 on {@code scheduler}. */
    public static SchedulerKind named(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (SchedulerKind kind : values()) {
            if (kind.shortName.equals(wanted) || kind.className.toLowerCase(Locale.ROOT).equals(wanted)) {
                return kind;
            }
        }
        throw new InvalidRequestException("scheduler", "unknown scheduler '" + name + "'; one of " + names());
    }

    /** The kind of a config's {@code _class_name}, or null when it is none of these. */
    static SchedulerKind ofClassName(String className) {
        for (SchedulerKind kind : values()) {
            if (kind.className.equals(className)) {
                return kind;
            }
        }
        return null;
    }

    /** A fresh scheduler of this kind for one run of {@code steps} steps. */
    public Scheduler create(SchedulerConfig config, int steps) {
        return switch (this) {
            case EULER -> new EulerDiscreteScheduler(config, steps);
            case DDIM -> new DdimScheduler(config, steps);
            case PNDM -> new PndmScheduler(config, steps);
            case LCM -> new LcmScheduler(config, steps);
        };
    }
}
