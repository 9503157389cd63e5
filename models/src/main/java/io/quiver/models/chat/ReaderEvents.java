package io.quiver.models.chat;

import io.quiver.models.chat.ToolCallReader.Arguments;
import io.quiver.models.chat.ToolCallReader.CallStart;
import io.quiver.models.chat.ToolCallReader.Event;
import io.quiver.models.chat.ToolCallReader.Text;
import java.util.ArrayList;
import java.util.List;

/**
 * The events a {@link ToolCallReader} hands out from one piece of text: neighbouring text joined, neighbouring
 * fragments of one call's arguments joined, and the answer text's trailing whitespace held back until more text
 * shows it is not the last before a call (where it is dropped).
 */
final class ReaderEvents {
    private final StringBuilder heldSpace = new StringBuilder();
    private List<Event> events = new ArrayList<>();

    void text(String s) {
        int end = s.length();
        while (end > 0 && Character.isWhitespace(s.charAt(end - 1))) {
            end--;
        }
        if (end == 0) {
            heldSpace.append(s);
            return;
        }
        add(new Text(heldSpace + s.substring(0, end)));
        heldSpace.setLength(0);
        heldSpace.append(s, end, s.length());
    }

    /** A call begins: the whitespace before it is no part of the answer. */
    void start(CallStart call) {
        heldSpace.setLength(0);
        events.add(call);
    }

    void arguments(int index, String fragment) {
        add(new Arguments(index, fragment));
    }

    /** The text has ended: held whitespace is text after all when {@code keep}, else dropped. */
    void end(boolean keep) {
        if (keep) {
            add(new Text(heldSpace.toString()));
        }
        heldSpace.setLength(0);
    }

    List<Event> drain() {
        List<Event> out = events;
        events = new ArrayList<>();
        return out;
    }

    private void add(Event e) {
        Event last = events.isEmpty() ? null : events.getLast();
        if (e instanceof Text t && last instanceof Text l) {
            events.set(events.size() - 1, new Text(l.text() + t.text()));
        } else if (e instanceof Arguments a && last instanceof Arguments l && l.index() == a.index()) {
            events.set(events.size() - 1, new Arguments(a.index(), l.fragment() + a.fragment()));
        } else if (!(e instanceof Text t && t.text().isEmpty())) {
            events.add(e);
        }
    }
}
