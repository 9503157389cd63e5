package io.quiver.runtime.config;

import com.sun.source.doctree.DocCommentTree;
import com.sun.source.doctree.DocTree;
import com.sun.source.doctree.EntityTree;
import com.sun.source.doctree.LinkTree;
import com.sun.source.doctree.LiteralTree;
import com.sun.source.doctree.TextTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.DocTrees;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePathScanner;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * docs/configuration.md, made from the settings' own declarations: key names and defaults from {@link QuiverConfig}
 * (read by reflection, as the framework reads them), descriptions from the javadoc above each of its methods (read
 * from its source with the JDK's own parser), allowed values and environment names from {@link Settings}.
 */
final class ConfigurationPage {
    static final String SOURCE = "runtime/src/main/java/io/quiver/runtime/config/QuiverConfig.java";
    static final String PAGE = "docs/configuration.md";
    static final String REGENERATE = "./mvnw -B -q -pl runtime -am test -Dtest=ConfigurationPageTest "
            + "-Dsurefire.failIfNoSpecifiedTests=false -Ddocs.write=true";

    private ConfigurationPage() {
    }

    /**
     * Every key {@code type} declares, relative to it ({@code concurrency.max}), with its accessor; groups such as
     * {@code concurrency} are walked into, the per-model map is not (its keys are {@link QuiverConfig.Model}'s).
     */
    static Map<String, Method> declared(Class<?> type) {
        Map<String, Method> into = new TreeMap<>();
        declared(type, "", into);
        return into;
    }

    private static void declared(Class<?> type, String prefix, Map<String, Method> into) {
        for (Method m : type.getDeclaredMethods()) {
            if (m.isDefault() || Modifier.isStatic(m.getModifiers()) || m.isSynthetic()
                    || Map.class.isAssignableFrom(m.getReturnType())) {
                continue;
            }
            WithName named = m.getAnnotation(WithName.class);
            String name = prefix + (named != null ? named.value() : m.getName());
            Class<?> r = m.getReturnType();
            if (r.isInterface() && r.getEnclosingClass() == QuiverConfig.class) {
                declared(r, name + ".", into);
            } else {
                into.put(name, m);
            }
        }
    }

    /** The page, from the configuration's source file (for its javadoc) under {@code root}. */
    static String render(Path root) throws IOException {
        Map<String, String> docs = javadoc(root.resolve(SOURCE));
        StringBuilder page = new StringBuilder();
        page.append("""
                # Configuration

                <!-- Generated from QuiverConfig.java and Settings.java by ConfigurationPageTest; do not edit.
                     Regenerate: %s -->

                Every key can be set as a system property (`-Dquiver.concurrency.max=4`), in `application.properties`,
                or as an environment variable: `QUIVER_` and the key in upper case with `.` and `-` as `_`
                (`QUIVER_CONCURRENCY_MAX`). System properties win over the environment. A model's keys are
                `QUIVER_MODELS_<NAME>_<KEY>`: the key is matched from the end among the model keys, and the rest is the
                served name in lower case with `_` as `-` (`QUIVER_MODELS_MY_EMBED_PATH` sets
                `quiver.models.my-embed.path`), so a model configured through the environment is named with lower-case
                letters, digits and `-`; other names need a system property or `application.properties`.

                The start fails with one line, before any model loads, on a `quiver.*` key or `QUIVER_*` variable that
                is not below (naming the nearest one that is) and on a value outside the allowed ones (naming the key
                and what is allowed). Once the device is known, each model's effective settings are logged in one line
                (`model <name> settings: path …, kind …, graph …, context length …`).

                With no model configured the server serves its embedded defaults; configuring any model replaces them
                (list those you want too). `PORT` (set by Knative) picks the HTTP port (default 8080). These variables
                belong to the build, fixture and bench scripts and are ignored by the server: %s.

                ## Per model: `quiver.models.<name>.*`

                """.formatted(REGENERATE, Settings.TOOLING.stream().sorted().map(v -> "`" + v + "`")
                .collect(Collectors.joining(", "))));
        table(page, declared(QuiverConfig.Model.class), "models.<name>.", Settings.MODEL_KEYS, docs);
        page.append("\n## Server: `quiver.*`\n\n");
        table(page, declared(QuiverConfig.class), "", Settings.KEYS, docs);
        return page.toString();
    }

    private static void table(StringBuilder page, Map<String, Method> keys, String prefix,
                              Map<String, Settings.Rule> rules, Map<String, String> docs) {
        page.append("| key | environment variable | default | allowed | meaning |\n|---|---|---|---|---|\n");
        keys.forEach((key, method) -> {
            String full = Settings.PREFIX + prefix + key;
            Settings.Rule rule = rules.get(key);
            if (rule == null) {
                throw new IllegalStateException(full + " has no rule in Settings");
            }
            String meaning = describe(method, docs);
            if (meaning.isBlank()) {
                throw new IllegalStateException(full + " has no javadoc in " + SOURCE);
            }
            page.append("| `").append(full).append("` | `").append(Settings.envOf(full)).append("` | ")
                    .append(defaultOf(method)).append(" | ").append(cell(rule.allowed())).append(" | ")
                    .append(cell(meaning)).append(" |\n");
        });
    }

    private static String defaultOf(Method m) {
        WithDefault value = m.getAnnotation(WithDefault.class);
        if (value != null) {
            return "`" + value.value() + "`";
        }
        Class<?> r = m.getReturnType();
        boolean optional = r == Optional.class || r == OptionalInt.class || r == OptionalLong.class
                || r == OptionalDouble.class;
        return optional ? "unset" : "required";
    }

    /** The method's javadoc; for an enum it returns without one, the enum's and its constants'. */
    private static String describe(Method m, Map<String, String> docs) {
        String own = docs.getOrDefault(id(m.getDeclaringClass()) + "#" + m.getName(), "");
        Class<?> r = m.getReturnType();
        if (!own.isBlank() || !r.isEnum()) {
            return own;
        }
        StringBuilder text = new StringBuilder(docs.getOrDefault(id(r), ""));
        for (Object constant : r.getEnumConstants()) {
            String name = ((Enum<?>) constant).name();
            text.append(" `").append(name.toLowerCase(java.util.Locale.ROOT).replace('_', '-')).append("`: ")
                    .append(docs.getOrDefault(id(r) + "#" + name, ""));
        }
        return text.toString().strip();
    }

    /** A type as the source scan names it: QuiverConfig, QuiverConfig.Model, ... */
    private static String id(Class<?> type) {
        return type.getEnclosingClass() == null ? type.getSimpleName()
                : id(type.getEnclosingClass()) + "." + type.getSimpleName();
    }

    /** Text for a table cell: pipes escaped, and outside code spans {@code <} too, so {@code <name>} is no HTML. */
    private static String cell(String text) {
        String[] spans = text.replace("|", "\\|").split("`", -1);
        for (int i = 0; i < spans.length; i += 2) {
            spans[i] = spans[i].replace("<", "\\<");
        }
        return String.join("`", spans);
    }

    /** The javadoc of every type, method and enum constant in a source file, as Markdown, by {@link #id} (#name). */
    static Map<String, String> javadoc(Path source) throws IOException {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        try (var files = compiler.getStandardFileManager(null, null, null)) {
            JavacTask task = (JavacTask) compiler.getTask(null, files, null, List.of("-proc:none"), null,
                    files.getJavaFileObjects(source));
            DocTrees trees = DocTrees.instance(task);
            Map<String, String> docs = new HashMap<>();
            for (CompilationUnitTree unit : task.parse()) {
                new TreePathScanner<Void, Void>() {
                    private final Deque<String> types = new ArrayDeque<>();

                    @Override
                    public Void visitClass(ClassTree type, Void unused) {
                        types.push(types.isEmpty() ? type.getSimpleName().toString()
                                : types.peek() + "." + type.getSimpleName());
                        put(types.peek());
                        super.visitClass(type, unused);
                        types.pop();
                        return null;
                    }

                    @Override
                    public Void visitMethod(MethodTree method, Void unused) {
                        put(types.peek() + "#" + method.getName());
                        return null;
                    }

                    @Override
                    public Void visitVariable(VariableTree field, Void unused) {
                        put(types.peek() + "#" + field.getName());
                        return null;
                    }

                    private void put(String id) {
                        DocCommentTree doc = trees.getDocCommentTree(getCurrentPath());
                        if (doc != null) {
                            docs.put(id, markdown(doc.getFullBody()));
                        }
                    }
                }.scan(unit, null);
            }
            return docs;
        }
    }

    /** Javadoc's body as one line of Markdown: {@code code} in backticks, a link as its label, HTML tags dropped. */
    private static String markdown(List<? extends DocTree> body) {
        StringBuilder out = new StringBuilder();
        for (DocTree node : body) {
            switch (node) {
                case TextTree text -> out.append(text.getBody());
                case LiteralTree literal when node.getKind() == DocTree.Kind.CODE ->
                        out.append('`').append(literal.getBody().getBody()).append('`');
                case LiteralTree literal -> out.append(literal.getBody().getBody());
                case LinkTree link -> out.append(link.getLabel().isEmpty()
                        ? "`" + link.getReference().getSignature().replaceAll(".*[.#]", "") + "`"
                        : markdown(link.getLabel()));
                case EntityTree entity -> out.append(switch (entity.getName().toString()) {
                    case "lt" -> "<";
                    case "gt" -> ">";
                    case "amp" -> "&";
                    default -> "&" + entity.getName() + ";";
                });
                default -> out.append(' ');
            }
        }
        return out.toString().replaceAll("\\s+", " ").strip();
    }
}
