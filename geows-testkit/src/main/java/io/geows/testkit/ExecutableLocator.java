package io.geows.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds a server binary: an explicit path, else the environment variable, else {@code PATH}, else
 * a few well-known locations. An explicit path or a set environment variable is authoritative: if
 * it does not name an executable file the lookup fails instead of silently using another binary.
 */
final class ExecutableLocator {

    private final String executable;
    private final String envVar;
    private final String packageName;
    private final List<Path> fallbacks;

    ExecutableLocator(String executable, String envVar, String packageName, List<Path> fallbacks) {
        this.executable = executable;
        this.envVar = envVar;
        this.packageName = packageName;
        this.fallbacks = List.copyOf(fallbacks);
    }

    /**
     * @param explicit a path chosen in code, or {@code null}
     * @param env the environment to read {@code envVar} and {@code PATH} from
     * @throws ServerProcessException naming the places looked in and how to install the binary
     */
    Path locate(Path explicit, Map<String, String> env) {
        if (explicit != null) {
            if (isExecutable(explicit)) {
                return explicit;
            }
            throw notFound(explicit + " (set in code), which is not an executable file");
        }
        String fromEnv = env.get(envVar);
        if (fromEnv != null && !fromEnv.isBlank()) {
            Path path = toPath(fromEnv.trim());
            if (path != null && isExecutable(path)) {
                return path;
            }
            throw notFound("$" + envVar + "=" + fromEnv + ", which is not an executable file");
        }
        List<String> lookedIn = new ArrayList<>();
        lookedIn.add("$" + envVar + " (unset)");
        String pathVar = env.getOrDefault("PATH", "");
        for (String dir : pathVar.split(File.pathSeparator)) {
            Path dirPath = dir.isEmpty() ? null : toPath(dir);
            Path candidate = dirPath == null ? null : dirPath.resolve(executable);
            if (candidate != null && isExecutable(candidate)) {
                return candidate;
            }
        }
        lookedIn.add("$PATH (" + pathVar + ")");
        for (Path candidate : fallbacks) {
            if (isExecutable(candidate)) {
                return candidate;
            }
            lookedIn.add(candidate.toString());
        }
        throw notFound(String.join(", ", lookedIn));
    }

    private ServerProcessException notFound(String lookedIn) {
        return new ServerProcessException(executable + " not found (looked in " + lookedIn
                + "): install it with `sudo apt-get install " + packageName + "` or set " + envVar
                + " to the path of the " + executable + " binary");
    }

    private static boolean isExecutable(Path path) {
        return Files.isRegularFile(path) && Files.isExecutable(path);
    }

    private static Path toPath(String text) {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            return null;
        }
    }
}
