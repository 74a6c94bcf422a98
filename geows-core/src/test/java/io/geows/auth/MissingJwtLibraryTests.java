package io.geows.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class MissingJwtLibraryTests {

    @Test
    @DisplayName("without nimbus-jose-jwt, JwtAuthenticator.builder() says which dependency to add")
    void missingLibraryIsNamed() throws Exception {
        URL core = JwtAuthenticator.class.getProtectionDomain().getCodeSource().getLocation();
        // geows-core's classes alone, with nothing of the application's class path behind them
        try (URLClassLoader withoutNimbus = new URLClassLoader(new URL[] {core}, ClassLoader.getPlatformClassLoader())) {
            Class<?> jwt = withoutNimbus.loadClass(JwtAuthenticator.class.getName());
            assertThatThrownBy(() -> jwt.getMethod("builder").invoke(null))
                    .isInstanceOf(InvocationTargetException.class)
                    .cause()
                    .satisfies(e -> assertThat(e.getClass().getName()).isEqualTo("io.geows.GeoWsException"))
                    .hasMessageContaining("com.nimbusds:nimbus-jose-jwt")
                    .hasMessageContaining("geows-bom");
        }
    }
}
