package io.quiver.runtime.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The documentation's pages link to files, folders and headings that exist, so a move or a rename shows here. */
class DocLinksTest {

    static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("docs")) && Files.isRegularFile(dir.resolve("README.md"))
                    && Files.isDirectory(dir.resolve("runtime"))) {
                return dir;
            }
        }
        throw new AssertionError("no repository root (README.md, docs/, runtime/) above "
                + Path.of("").toAbsolutePath());
    }

    /** The README, every page under docs/, and the deployment and bench READMEs. */
    static List<Path> pages(Path root) throws IOException {
        List<Path> pages = new ArrayList<>(List.of(root.resolve("README.md"), root.resolve("deployment/README.md"),
                root.resolve("bench/README.md")));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    @Test
    void everyRelativeLinkLeadsSomewhere() throws IOException {
        Path root = root();
        DocLinks links = new DocLinks(root);
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path page : pages(root)) {
            assertTrue(Files.isRegularFile(page), page + " is one of the pages");
            broken.addAll(links.broken(page));
            checked += DocLinks.links(Files.readString(page)).size();
        }
        assertTrue(broken.isEmpty(), "links that lead nowhere:\n" + String.join("\n", broken));
        assertTrue(checked > 20, "links found: " + checked);
    }

    @Test
    void anchorsAreNamedAsGitHubNamesThem() {
        assertEquals("against-peer-servers-over-http-2026-12-02",
                DocLinks.anchor("Against peer servers over HTTP (2026-12-02)"));
        assertEquals("per-model-quivermodelsname", DocLinks.anchor("Per model: quiver.models.<name>.*"));
        assertEquals("why-onnx-runtime-129", DocLinks.anchor("Why ONNX Runtime 1.29"));
        assertEquals(List.of("limits", "limits-1", "code-and-text"),
                List.copyOf(DocLinks.anchors("# Limits\n\n## Limits\n\n### `Code` and *text*\n")));
    }

    /** The check finds a missing file, a missing heading and a link out of the repository; code is no link. */
    @Test
    void brokenLinksAreFound(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("docs"));
        Files.writeString(root.resolve("docs/other.md"), "# Other\n\n## A part\n");
        Path page = Files.writeString(root.resolve("docs/page.md"), """
                # Page

                [fine](other.md#a-part), [here](#page), [folder](../docs/), [web](https://example.com/x.md#y)
                [gone](missing.md), [no part](other.md#b-part), [out](../../etc/passwd)
                `[code](missing-in-code.md)`

                    [indented code](missing-too.md)
                """);
        List<String> broken = new DocLinks(root).broken(page);
        assertEquals(3, broken.size(), String.join("\n", broken));
        assertTrue(broken.get(0).contains("(missing.md) no such file"), broken.get(0));
        assertTrue(broken.get(1).contains("no heading with anchor #b-part in docs/other.md"), broken.get(1));
        assertTrue(broken.get(2).contains("leaves the repository"), broken.get(2));
    }
}
