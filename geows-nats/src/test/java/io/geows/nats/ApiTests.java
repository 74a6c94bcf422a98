package io.geows.nats;

import io.geows.testkit.ApiSurface;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The public API of geows-nats: as committed in api/geows-nats.api, and no internal type in it. */
class ApiTests {

    @Test
    @DisplayName("the public API is the committed one and names no internal type")
    void publicApi() {
        ApiSurface.check("geows-nats");
    }
}
