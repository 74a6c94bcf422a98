package io.geows.client;

import io.geows.testkit.ApiSurface;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The public API of geows-client: as committed in api/geows-client.api, and no internal type in it. */
class ApiTests {

    @Test
    @DisplayName("the public API is the committed one and names no internal type")
    void publicApi() {
        ApiSurface.check("geows-client");
    }
}
