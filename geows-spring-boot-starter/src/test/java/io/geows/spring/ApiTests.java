package io.geows.spring;

import io.geows.testkit.ApiSurface;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The public API of geows-spring-boot-starter: as committed in api/geows-spring-boot-starter.api, and no internal type in it. */
class ApiTests {

    @Test
    @DisplayName("the public API is the committed one and names no internal type")
    void publicApi() {
        ApiSurface.check("geows-spring-boot-starter");
    }
}
