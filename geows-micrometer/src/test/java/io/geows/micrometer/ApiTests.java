package io.geows.micrometer;

import io.geows.testkit.ApiSurface;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The public API of geows-micrometer: as committed in api/geows-micrometer.api, and no internal type in it. */
class ApiTests {

    @Test
    @DisplayName("the public API is the committed one and names no internal type")
    void publicApi() {
        ApiSurface.check("geows-micrometer");
    }
}
