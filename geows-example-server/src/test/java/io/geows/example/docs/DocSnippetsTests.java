package io.geows.example.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Examples that cannot rot: every {@code ```java} block of the README and of {@code docs/} must be,
 * word for word, a snippet of a source file this module or geows-example-spring compiles (between {@code // snippet:name}
 * and {@code // end-snippet}). Change the source, and the test says which doc block to update.
 */
class DocSnippetsTests {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** The snippets of every Java source of the two example modules (this one and geows-example-spring), by name. */
    static Map<String, String> snippets() throws IOException {
        List<Path> sources = new ArrayList<>();
        for (String module : List.of("geows-example-server/src", "geows-example-spring/src")) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(module))) {
                files.filter(p -> p.toString().endsWith(".java")).sorted().forEach(sources::add);
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Path f : sources) {
            String name = null;
            List<String> body = new ArrayList<>();
            for (String line : Files.readAllLines(f)) {
                String t = line.trim();
                if (t.startsWith("// snippet:")) {
                    name = t.substring("// snippet:".length());
                    body.clear();
                } else if (t.equals("// end-snippet") && name != null) {
                    out.put(name, dedent(body));
                    name = null;
                } else if (name != null) {
                    body.add(line);
                }
            }
        }
        return out;
    }

    private static String dedent(List<String> lines) {
        int indent = lines.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        return String.join("\n", lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList());
    }

    /** The Java blocks of the README and docs/*.md, as "file:line" -> text. */
    static Map<String, String> javaBlocks() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
            files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Path doc : docs) {
            List<String> lines = Files.readAllLines(doc);
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).trim().equals("```java")) {
                    int start = i + 1;
                    int end = start;
                    while (!lines.get(end).trim().equals("```")) {
                        end++;
                    }
                    out.put(ROOT.relativize(doc) + ":" + (i + 1), String.join("\n", lines.subList(start, end)));
                    i = end;
                }
            }
        }
        return out;
    }

    @Test
    @DisplayName("every Java example in the README and docs/ is a compiled snippet, word for word")
    void everyJavaBlockIsACompiledSnippet() throws IOException {
        Map<String, String> snippets = snippets();
        Map<String, String> blocks = javaBlocks();
        assertThat(blocks).as("Java blocks in the docs").isNotEmpty();
        List<String> stale = new ArrayList<>();
        blocks.forEach((where, text) -> {
            if (!snippets.containsValue(text)) {
                stale.add(where + " is not a snippet of geows-example-server's or geows-example-spring's sources (copy it from there, or "
                        + "mark it there with // snippet:name ... // end-snippet):\n" + text);
            }
        });
        assertThat(stale).as("doc blocks without a compiled source").isEmpty();
    }
}
