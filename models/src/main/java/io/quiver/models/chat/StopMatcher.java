package io.quiver.models.chat;

import java.util.List;

/**
 * Finds stop strings in streamed text. Text that could be the start of a stop string is held back until the next
 * delta shows it is not; on a match the text is cut before the stop string and everything after is dropped.
 */
final class StopMatcher {
    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;

    StopMatcher(List<String> stops) {
        this.stops = stops;
    }

    /** The part of {@code held + delta} that is safe to emit now. */
    String accept(String delta) {
        if (stopped) {
            return "";
        }
        if (stops.isEmpty()) {
            return delta;
        }
        held.append(delta);
        int cut = -1;
        for (String stop : stops) {
            int at = held.indexOf(stop);
            if (at >= 0 && (cut < 0 || at < cut)) {
                cut = at;
            }
        }
        if (cut >= 0) {
            stopped = true;
            String out = held.substring(0, cut);
            held.setLength(0);
            return out;
        }
        int keep = longestPartialMatch();
        String out = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return out;
    }

    /** True once a stop string was seen: the completion ends with finish reason STOP. */
    boolean stopped() {
        return stopped;
    }

    /** Held-back text at the end of the completion (it turned out not to be a stop string). */
    String flush() {
        String out = stopped ? "" : held.toString();
        held.setLength(0);
        return out;
    }

    /** Length of the longest suffix of the held text that is a proper prefix of some stop string. */
    private int longestPartialMatch() {
        int best = 0;
        for (String stop : stops) {
            int max = Math.min(stop.length() - 1, held.length());
            for (int n = max; n > best; n--) {
                if (endsWithPrefix(held, stop, n)) {
                    best = n;
                    break;
                }
            }
        }
        return best;
    }

    /** True when the last {@code n} characters of {@code text} equal the first {@code n} of {@code tag}. */
    static boolean endsWithPrefix(CharSequence text, String tag, int n) {
        int start = text.length() - n;
        for (int i = 0; i < n; i++) {
            if (text.charAt(start + i) != tag.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
