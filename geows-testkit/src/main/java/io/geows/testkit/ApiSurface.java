package io.geows.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The public API of a module, as text, checked against the copy committed in {@code api/<module>.api}:
 * every public or protected type, constructor, method and field of the module's classes outside
 * {@code internal} packages, one line each, sorted. A change of a public signature fails the build
 * until the file is updated on purpose ({@code -Dgeows.api.update=true} rewrites it, and the diff
 * shows in review); a public signature that names an {@code internal} type fails always.
 */
public final class ApiSurface {
    /** The system property that rewrites the committed API files instead of checking them. */
    public static final String UPDATE = "geows.api.update";
    private static final Pattern TYPE_NAME = Pattern.compile("\\b(io\\.geows\\.[\\w.$]+)");

    private ApiSurface() {
    }

    /**
     * Checks a module (a sibling of the one whose tests run now, or that one: {@code ../<module>}), its
     * compiled {@code target/classes} on this test's class path, against {@code ../<module>/api/<module>.api}.
     *
     * @throws AssertionError naming what changed or leaked
     */
    public static void check(String module) {
        Path dir = Path.of("..", module).toAbsolutePath().normalize();
        Path classes = dir.resolve("target").resolve("classes");
        Path file = dir.resolve("api").resolve(module + ".api");
        if (!Files.isDirectory(classes)) {
            throw new AssertionError("no compiled classes at " + classes.toAbsolutePath());
        }
        List<String> lines = describe(classes);
        List<String> leaks = lines.stream().filter(ApiSurface::leaksInternal).toList();
        if (!leaks.isEmpty()) {
            throw new AssertionError("public API names internal types (move them out of internal, or hide the member):\n  "
                    + String.join("\n  ", leaks));
        }
        String text = String.join("\n", lines) + "\n";
        try {
            if (Boolean.getBoolean(UPDATE)) {
                Files.createDirectories(file.getParent());
                Files.writeString(file, text, StandardCharsets.UTF_8);
                return;
            }
            String committed = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
            if (!committed.equals(text)) {
                TreeSet<String> was = new TreeSet<>(Arrays.asList(committed.split("\n")));
                TreeSet<String> now = new TreeSet<>(lines);
                List<String> diff = new ArrayList<>();
                was.stream().filter(l -> !l.isEmpty() && !now.contains(l)).forEach(l -> diff.add("- " + l));
                now.stream().filter(l -> !was.contains(l)).forEach(l -> diff.add("+ " + l));
                throw new AssertionError("the public API of " + module + " changed (" + file.toAbsolutePath() + "); if that is"
                        + " meant, run the build with -D" + UPDATE + "=true and commit the file:\n  " + String.join("\n  ", diff));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The public API of the classes below {@code classes}, one sorted line per type and member. */
    static List<String> describe(Path classes) {
        TreeSet<String> out = new TreeSet<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
                String name = classes.relativize(f).toString().replace('/', '.').replace('\\', '.');
                name = name.substring(0, name.length() - ".class".length());
                if (name.contains(".internal.") || name.endsWith("package-info") || name.endsWith("module-info")) {
                    continue;
                }
                Class<?> c;
                try {
                    c = Class.forName(name, false, ApiSurface.class.getClassLoader());
                } catch (ClassNotFoundException | LinkageError e) {
                    continue; // an optional dependency's type (a Spring Boot 4 class on Boot 3): not on this path
                }
                if (!visible(c)) {
                    continue;
                }
                String type = c.getName();
                out.add(type + " : " + declaration(c));
                try {
                    for (Constructor<?> k : c.getDeclaredConstructors()) {
                        if (visible(k) && !k.isSynthetic()) {
                            out.add(type + " : " + k.toGenericString());
                        }
                    }
                    for (Method m : c.getDeclaredMethods()) {
                        if (visible(m) && !m.isSynthetic() && !m.isBridge()) {
                            out.add(type + " : " + m.toGenericString());
                        }
                    }
                    for (Field fl : c.getDeclaredFields()) {
                        if (visible(fl) && !fl.isSynthetic()) {
                            out.add(type + " : " + fl.toGenericString());
                        }
                    }
                } catch (LinkageError e) {
                    out.add(type + " : (members name a type absent here: " + e.getMessage() + ")");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(out);
    }

    private static String declaration(Class<?> c) {
        StringBuilder b = new StringBuilder(c.toGenericString());
        java.lang.reflect.Type sup = c.getGenericSuperclass();
        if (sup != null && sup != Object.class && !c.isEnum() && !c.isRecord()) {
            b.append(" extends ").append(sup.getTypeName());
        }
        java.lang.reflect.Type[] ifaces = c.getGenericInterfaces();
        if (ifaces.length > 0) {
            b.append(c.isInterface() ? " extends " : " implements ");
            b.append(String.join(", ", Arrays.stream(ifaces).map(java.lang.reflect.Type::getTypeName).toList()));
        }
        return b.toString();
    }

    /** Public or protected, and every enclosing type too. */
    private static boolean visible(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getDeclaringClass()) {
            int m = k.getModifiers();
            if (!(Modifier.isPublic(m) || Modifier.isProtected(m)) || k.isAnonymousClass() || k.isLocalClass()) {
                return false;
            }
        }
        return true;
    }

    private static boolean visible(Member member) {
        int m = member.getModifiers();
        return Modifier.isPublic(m) || (Modifier.isProtected(m) && !Modifier.isFinal(member.getDeclaringClass().getModifiers()));
    }

    private static boolean leaksInternal(String line) {
        Matcher m = TYPE_NAME.matcher(line);
        while (m.find()) {
            if (m.group(1).contains(".internal.")) {
                return true;
            }
        }
        return false;
    }
}
