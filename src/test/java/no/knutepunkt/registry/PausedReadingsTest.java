package no.knutepunkt.registry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PausedReadingsTest {

    private static final String STORED = "{\"resourceType\":\"Observation\",\"id\":\"x\",\"meta\":{\"profile\":[\"p\"],"
            + "\"tag\":[{\"system\":\"https://knutepunkt.no/fhir/CodeSystem/reading-flag\",\"code\":\"bad-device-clock\"}]},"
            + "\"valueQuantity\":{\"value\":80.00,\"unit\":\"kg\"},\"component\":[{\"valueQuantity\":{\"value\":1E+2}}]}";

    @Test
    void taggingChangesTheTagAndNothingElse() {
        String paused = PausedReadings.tagged(STORED, true);
        assertThat(paused).contains("\"value\":80.00").contains("\"code\":\"bad-device-clock\"")
                .contains("{\"system\":\"https://knutepunkt.no/fhir/CodeSystem/reading-flag\",\"code\":\"enrollment-paused\"}")
                .doesNotContain("E+");
        assertThat(PausedReadings.tagged(paused, true)).isEqualTo(paused);
        String resumed = PausedReadings.tagged(paused, false);
        assertThat(resumed).doesNotContain("enrollment-paused").contains("bad-device-clock").contains("\"value\":80.00");
    }

    @Test
    void anUntaggedObservationLosesTheEmptyTagListAgain() {
        String plain = "{\"resourceType\":\"Observation\",\"meta\":{\"profile\":[\"p\"]}}";
        assertThat(PausedReadings.tagged(PausedReadings.tagged(plain, true), false)).isEqualTo(plain);
    }
}
