package io.geows.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExecutableLocatorTests {

    @TempDir
    Path dir;

    @Test
    void theEnvironmentVariableWinsOverPathAndFallbacks() throws IOException {
        Path fromEnv = executable("env/redis-server");
        Path onPath = executable("path/redis-server");
        Path fallback = executable("fallback/redis-server");
        ExecutableLocator locator = locator(fallback);

        assertThat(locator.locate(null, Map.of("GEOWS_REDIS_SERVER", fromEnv.toString(),
                "PATH", onPath.getParent().toString()))).isEqualTo(fromEnv);
        assertThat(locator.locate(null, Map.of("PATH", onPath.getParent().toString())))
                .isEqualTo(onPath);
        assertThat(locator.locate(null, Map.of("PATH", dir.resolve("empty") + ":")))
                .isEqualTo(fallback);
        assertThat(locator.locate(fallback, Map.of("GEOWS_REDIS_SERVER", fromEnv.toString())))
                .as("an explicit path wins over everything").isEqualTo(fallback);
    }

    @Test
    void aSetVariableIsNotSilentlyIgnored() throws IOException {
        Path onPath = executable("path/redis-server");
        Path notExecutable = Files.createFile(dir.resolve("plain-file"));

        assertThatThrownBy(() -> locator().locate(null, Map.of(
                "GEOWS_REDIS_SERVER", notExecutable.toString(),
                "PATH", onPath.getParent().toString())))
                .isInstanceOf(ServerProcessException.class)
                .hasMessageContaining("$GEOWS_REDIS_SERVER=" + notExecutable);
    }

    @Test
    void nothingFoundSaysWhereItLookedAndHowToInstall() {
        Path missing = dir.resolve("usr/bin/redis-server");

        assertThatThrownBy(() -> locator(missing).locate(null, Map.of("PATH", "/nonexistent")))
                .isInstanceOf(ServerProcessException.class)
                .hasMessageStartingWith("redis-server not found (looked in $GEOWS_REDIS_SERVER"
                        + " (unset), $PATH (/nonexistent), " + missing + "): install it with "
                        + "`sudo apt-get install redis-server` or set GEOWS_REDIS_SERVER");
    }

    @Test
    void freePortsAreNeverTheMachinesBrokerPorts() {
        for (int i = 0; i < 50; i++) {
            assertThat(Ports.freePort()).isBetween(1024, 65535).isNotIn(Ports.RESERVED.toArray());
        }
    }

    private ExecutableLocator locator(Path... fallbacks) {
        return new ExecutableLocator("redis-server", "GEOWS_REDIS_SERVER", "redis-server",
                List.of(fallbacks));
    }

    private Path executable(String relative) throws IOException {
        Path path = dir.resolve(relative);
        Files.createDirectories(path.getParent());
        Files.createFile(path, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        return path;
    }
}
