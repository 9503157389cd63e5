package io.quiver.runtime;

import static io.restassured.RestAssured.given;

import java.util.Arrays;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads samples out of the server's Prometheus text, whichever exposition format it picked. */
public final class Prometheus {
    private static final Pattern SAMPLE = Pattern.compile("^(\\w+)\\{([^}]*)\\} (\\S+)");

    private Prometheus() {
    }

    public static String scrape(String path) {
        return given().get(path).then().statusCode(200).extract().asString();
    }

    /** The value of the first sample of {@code name} that carries every one of {@code labels} (k="v" pairs). */
    public static OptionalDouble value(String text, String name, String... labels) {
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (m.find() && m.group(1).equals(name)
                    && Arrays.stream(labels).allMatch(l -> (m.group(2) + ",").contains(l + ","))) {
                return OptionalDouble.of(Double.parseDouble(m.group(3)));
            }
        }
        return OptionalDouble.empty();
    }

    /** The sum of every sample of {@code name}, whatever its labels (0 when there is none). */
    public static double sum(String text, String name) {
        double total = 0;
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (m.find() && m.group(1).equals(name)) {
                total += Double.parseDouble(m.group(3));
            }
        }
        return total;
    }

    public static double require(String text, String name, String... labels) {
        return value(text, name, labels).orElseThrow(() -> new AssertionError(
                "no sample " + name + " with " + String.join(",", labels)));
    }
}
