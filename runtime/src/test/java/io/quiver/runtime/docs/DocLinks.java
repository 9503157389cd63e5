package io.quiver.runtime.docs;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.Code;
import org.commonmark.node.Heading;
import org.commonmark.node.Image;
import org.commonmark.node.Link;
import org.commonmark.node.Node;
import org.commonmark.node.Text;
import org.commonmark.parser.Parser;

/**
 * The relative links of Markdown pages, read as a CommonMark parser reads them (so code spans and blocks are not
 * links), and whether each leads somewhere: a file or folder inside the repository and, for a {@code #fragment}
 * into a Markdown page, one of that page's headings as GitHub names their anchors.
 */
final class DocLinks {
    private static final Parser PARSER = Parser.builder().build();
    /** A link with a scheme ({@code https:}, {@code mailto:}) or protocol-relative: not checked here. */
    private static final Pattern ABSOLUTE = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*:|//).*");
    /** What GitHub drops from a heading's text to make its anchor: all but letters, digits, marks, _, - and space. */
    private static final Pattern NOT_IN_ANCHOR = Pattern.compile("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]");

    private final Path root;
    private final Map<Path, Set<String>> anchors = new HashMap<>();

    DocLinks(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** One line per link of {@code page} that leads nowhere, naming the page, the link and why. */
    List<String> broken(Path page) throws IOException {
        List<String> out = new ArrayList<>();
        for (String link : links(Files.readString(page))) {
            String why = check(page, link);
            if (why != null) {
                out.add(root.relativize(page.toAbsolutePath().normalize()) + ": (" + link + ") " + why);
            }
        }
        return out;
    }

    private String check(Path page, String link) throws IOException {
        if (ABSOLUTE.matcher(link).matches()) {
            return null;
        }
        int hash = link.indexOf('#');
        String path = URLDecoder.decode(hash < 0 ? link : link.substring(0, hash), StandardCharsets.UTF_8);
        String fragment = hash < 0 ? null : link.substring(hash + 1);
        Path target = path.isEmpty() ? page : page.toAbsolutePath().getParent().resolve(path).normalize();
        if (!target.startsWith(root)) {
            return "leaves the repository";
        }
        if (!Files.exists(target)) {
            return "no such file";
        }
        if (fragment != null && target.toString().endsWith(".md")
                && !anchors.computeIfAbsent(target, DocLinks::headings).contains(fragment)) {
            return "no heading with anchor #" + fragment + " in " + root.relativize(target);
        }
        return null;
    }

    /** The destinations of a page's links and images, in order. */
    static List<String> links(String markdown) {
        List<String> out = new ArrayList<>();
        PARSER.parse(markdown).accept(new AbstractVisitor() {
            @Override
            public void visit(Link link) {
                out.add(link.getDestination());
                visitChildren(link);
            }

            @Override
            public void visit(Image image) {
                out.add(image.getDestination());
            }
        });
        return out;
    }

    /** The anchors of a page's headings, as GitHub makes them (a repeated one gets -1, -2, ...). */
    static Set<String> anchors(String markdown) {
        Set<String> out = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        PARSER.parse(markdown).accept(new AbstractVisitor() {
            @Override
            public void visit(Heading heading) {
                String base = anchor(text(heading));
                int n = seen.merge(base, 1, Integer::sum) - 1;
                out.add(n == 0 ? base : base + "-" + n);
            }
        });
        return out;
    }

    /** GitHub's anchor for a heading's text: lower case, punctuation dropped, spaces as hyphens. */
    static String anchor(String heading) {
        return NOT_IN_ANCHOR.matcher(heading.toLowerCase(Locale.ROOT)).replaceAll("").replace(' ', '-');
    }

    private static Set<String> headings(Path page) {
        try {
            return anchors(Files.readString(page));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String text(Node node) {
        StringBuilder out = new StringBuilder();
        for (Node child = node.getFirstChild(); child != null; child = child.getNext()) {
            switch (child) {
                case Text t -> out.append(t.getLiteral());
                case Code c -> out.append(c.getLiteral());
                default -> out.append(text(child));
            }
        }
        return out.toString();
    }
}
