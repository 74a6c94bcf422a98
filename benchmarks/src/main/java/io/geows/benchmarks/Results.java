package io.geows.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Where results go: one JSON file per run ({@code <name>-<UTC stamp>.json}); after each write the
 * combined {@code latest.json}, {@code latest.md} and chart are regenerated from the newest run of each
 * name ({@link Report}).
 */
final class Results {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    private Results() {
    }

    /** {@code given}, else {@code benchmarks/results} when run from the repository root, else {@code results}. */
    static Path directory(String given) {
        if (given != null && !given.isBlank()) {
            return Path.of(given);
        }
        return Files.isDirectory(Path.of("benchmarks", "src")) ? Path.of("benchmarks", "results") : Path.of("results");
    }

    /** Writes {@code value} as {@code <name>-<stamp>.json}, then the report. */
    static Path write(Path dir, String name, Object value) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(name + "-" + ZonedDateTime.now(ZoneOffset.UTC).format(STAMP) + ".json");
        JSON.writeValue(file.toFile(), value);
        Report.write(dir);
        return file;
    }
}
