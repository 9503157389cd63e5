package io.quiver.runtime.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * LoRA adapter names and the {@code adapters} setting ({@code name=file,name=file}). A name is what a request's
 * {@code model} says, alone or after {@code <model>:}, so it holds no {@code :} or {@code /}.
 */
public final class Adapters {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private Adapters() {
    }

    public static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** Adapter name → file as written, in order; throws naming the fault. */
    public static Map<String, String> parse(String setting) {
        Map<String, String> out = new LinkedHashMap<>();
        if (setting == null || setting.isBlank()) {
            return out;
        }
        for (String pair : setting.split(",")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? "" : pair.substring(0, eq).strip();
            String file = eq < 0 ? "" : pair.substring(eq + 1).strip();
            if (!validName(name) || file.isEmpty()) {
                throw new IllegalArgumentException("'" + pair.strip() + "' is not name=file");
            }
            if (out.put(name, file) != null) {
                throw new IllegalArgumentException("adapter " + name + " is named twice");
            }
        }
        return out;
    }
}
