package io.quiver.models.chat;

/**
 * The JSON schemas that once compiled for minutes: small requests whose automata grow fast with a count. The
 * engine's bounds tests and the routes' tests build them here alike.
 */
public final class HostileSchemas {
    private HostileSchemas() {
    }

    /** An object of {@code n} optional integer properties. */
    public static String optionalIntegers(int n) {
        return optionalIntegers(n, null);
    }

    /** The same, with a description (distinct schemas of one shape, so caches do not share them); null: none. */
    public static String optionalIntegers(int n, String description) {
        StringBuilder s = new StringBuilder("{\"type\":\"object\",");
        if (description != null) {
            s.append("\"description\":\"").append(description).append("\",");
        }
        s.append("\"properties\":{");
        for (int i = 0; i < n; i++) {
            s.append(i > 0 ? "," : "").append("\"p").append(i).append("\":{\"type\":\"integer\"}");
        }
        return s.append("}}").toString();
    }

    /** Arrays of arrays of integers, {@code depth} deep. */
    public static String nestedArrays(int depth) {
        String s = "{\"type\":\"integer\"}";
        for (int i = 0; i < depth; i++) {
            s = "{\"type\":\"array\",\"items\":" + s + "}";
        }
        return s;
    }

    /** {@code fan} properties per level, each a $ref to the level below, {@code levels} deep. */
    public static String refFanOut(int fan, int levels) {
        StringBuilder s = new StringBuilder("{\"$defs\":{\"l0\":{\"type\":\"integer\"}");
        for (int l = 1; l <= levels; l++) {
            s.append(",\"l").append(l).append("\":{\"type\":\"object\",\"properties\":{");
            for (int f = 0; f < fan; f++) {
                s.append(f > 0 ? "," : "").append("\"f").append(f).append("\":{\"$ref\":\"#/$defs/l").append(l - 1)
                        .append("\"}");
            }
            s.append("}}");
        }
        return s.append("},\"$ref\":\"#/$defs/l").append(levels).append("\"}").toString();
    }
}
