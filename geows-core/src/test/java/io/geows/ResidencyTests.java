package io.geows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** Zones, pins and every start-up refusal the residency issue names. */
class ResidencyTests {
    private static Residency.Builder euAndUs() {
        return Residency.builder().regions("eu-west", "eu-central", "us-east")
                .zone("eu", "eu-west", "eu-central").zone("us", "us-east");
    }

    @Test
    void roomsArePinnedByNameOrPrefixAndTheRestAreGlobal() {
        Residency rules = euAndUs().pin("eu:*", "eu").pin("gdpr-audit", "eu").pin("us:*", "us").build();
        assertThat(rules.zoneOf("eu:chat")).contains("eu");
        assertThat(rules.zoneOf("eu:")).contains("eu");
        assertThat(rules.zoneOf("gdpr-audit")).contains("eu");
        assertThat(rules.zoneOf("gdpr-audit-2")).isEmpty();
        assertThat(rules.zoneOf("us:orders")).contains("us");
        assertThat(rules.zoneOf("lobby")).isEmpty();
        assertThat(rules.allows("eu:chat", "eu-central")).isTrue();
        assertThat(rules.allows("eu:chat", "us-east")).isFalse();
        assertThat(rules.allows("lobby", "us-east")).isTrue();
        assertThat(rules.regionsOf("eu")).containsExactly("eu-west", "eu-central");
        assertThat(rules.zonesOf("eu-west")).containsExactly("eu");
    }

    @Test
    void overlappingPinsOfOneZoneAreFine() {
        Residency rules = euAndUs().pin("eu:*", "eu").pin("eu:private:*", "eu").pin("eu:lobby", "eu").build();
        assertThat(rules.zoneOf("eu:private:x")).contains("eu");
    }

    @Test
    void overlappingPinsOfDifferentZonesAreRefusedNamingBoth() {
        assertThatThrownBy(() -> euAndUs().pin("eu:*", "eu").pin("eu:us-mirror*", "us").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'eu:*' (zone 'eu')").hasMessageContaining("'eu:us-mirror*' (zone 'us')")
                .hasMessageContaining("overlap");
        assertThatThrownBy(() -> euAndUs().pin("shared", "eu").pin("sh*", "us").build())
                .hasMessageContaining("'shared'").hasMessageContaining("'sh*'");
        assertThatThrownBy(() -> euAndUs().pin("same", "eu").pin("same", "us").build())
                .hasMessageContaining("overlap");
        // disjoint prefixes do not overlap
        assertThat(euAndUs().pin("eu:*", "eu").pin("us:*", "us").build().pins()).hasSize(2);
    }

    @Test
    void aZoneNamingAnUnknownRegionIsRefused() {
        assertThatThrownBy(() -> Residency.builder().regions("eu-west").zone("eu", "eu-west", "eu-north")
                .pin("eu:*", "eu").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'eu-north'").hasMessageContaining("declared regions");
    }

    @Test
    void aPinToAnUnknownZoneIsRefused() {
        assertThatThrownBy(() -> euAndUs().pin("ap:*", "ap").build())
                .hasMessageContaining("'ap:*'").hasMessageContaining("zone 'ap'").hasMessageContaining("not declared");
    }

    @Test
    void badPatternsAndNamesAreRefused() {
        assertThatThrownBy(() -> euAndUs().pin("*", "eu")).hasMessageContaining("prefix");
        assertThatThrownBy(() -> euAndUs().pin("eu*chat", "eu")).hasMessageContaining("'*' at the end");
        assertThatThrownBy(() -> euAndUs().pin("", "eu")).hasMessageContaining("room pattern");
        assertThatThrownBy(() -> Residency.builder().zone("eu")).hasMessageContaining("names no region");
        assertThatThrownBy(() -> Residency.builder().regions("eu west")).hasMessageContaining("region name");
        assertThatThrownBy(() -> euAndUs().zone("eu", "eu-west")).hasMessageContaining("declared twice");
    }

    @Test
    void aNodeInAZoneNeedsItsBrokerAndANodeOutsideHoldsNone() {
        Residency rules = euAndUs().pin("eu:*", "eu").build();
        rules.checkNode("eu-west", Set.of("eu"));
        rules.checkNode("us-east", Set.of("us"));
        assertThatThrownBy(() -> rules.checkNode("eu-west", Set.of()))
                .hasMessageContaining("zone 'eu'").hasMessageContaining("no broker is configured");
        assertThatThrownBy(() -> rules.checkNode("us-east", Set.of("eu", "us")))
                .hasMessageContaining("zone 'eu'").hasMessageContaining("does not include");
        assertThatThrownBy(() -> rules.checkNode("ap-south", Set.of()))
                .hasMessageContaining("'ap-south'").hasMessageContaining("declared regions");
        assertThatThrownBy(() -> rules.checkNode("eu-west", Set.of("eu", "mars")))
                .hasMessageContaining("'mars'");
    }

    @Test
    void noRulesMeansEveryRoomIsGlobalAndAnyNodeIsFine() {
        Residency none = Residency.none();
        assertThat(none.zoneOf("eu:chat")).isEmpty();
        assertThat(none.allows("anything", "anywhere")).isTrue();
        none.checkNode("anywhere", Set.of());
        assertThat(Residency.builder().regions("eu-west").build()).isSameAs(none);
    }

    @Test
    void usersArePinnedLikeRoomsAndCheckedAlike() {
        Residency r = euAndUs().pinUsers("eu.*", "eu").build();
        assertThat(r.zoneOfUser("eu.anna")).contains("eu");
        assertThat(r.zoneOfUser("carl")).isEmpty();
        assertThat(r.allowsUser("eu.anna", "us-east")).isFalse();
        assertThat(r.allowsUser("eu.anna", "eu-central")).isTrue();
        assertThat(r.allowsUser("carl", "us-east")).isTrue();
        assertThat(r.isEmpty()).isFalse();
        assertThatThrownBy(() -> euAndUs().pinUsers("eu.*", "eu").pinUsers("eu.us*", "us").build())
                .hasMessageContaining("user patterns").hasMessageContaining("overlap");
        assertThatThrownBy(() -> euAndUs().pinUsers("x*", "apac").build()).hasMessageContaining("'apac'");
        assertThatThrownBy(() -> euAndUs().pinUsers("a*b", "eu")).hasMessageContaining("user pattern");
        // a room pattern and a user pattern never conflict: they name different things
        assertThat(euAndUs().pin("eu*", "eu").pinUsers("eu*", "us").build().zoneOfUser("eu1")).contains("us");
    }
}
