package io.geows.testkit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The public API of geows-core and of this testkit: as committed in their api/*.api, and no internal type in it. */
class ApiTests {

    @Test
    @DisplayName("the public API is the committed one and names no internal type")
    void publicApi() {
        ApiSurface.check("geows-core");
        ApiSurface.check("geows-testkit");
    }
}
