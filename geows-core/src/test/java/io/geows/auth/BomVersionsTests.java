package io.geows.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BomVersionsTests {

    private static String property(Path pom, String name) throws Exception {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(Files.readString(pom));
        assertThat(m.find()).as("%s in %s", name, pom).isTrue();
        return m.group(1);
    }

    @Test
    @DisplayName("geows-bom manages nimbus-jose-jwt at the version the build compiles and tests against")
    void bomPinsTheBuildsVersionOfOptionalLibraries() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        assertThat(property(root.resolve("geows-bom/pom.xml"), "nimbus-jose-jwt.version"))
                .isEqualTo(property(root.resolve("pom.xml"), "nimbus-jose-jwt.version"));
        assertThat(Files.readString(root.resolve("geows-bom/pom.xml"))).contains("<artifactId>nimbus-jose-jwt</artifactId>");
    }
}
