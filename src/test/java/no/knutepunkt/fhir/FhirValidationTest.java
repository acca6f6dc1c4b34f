package no.knutepunkt.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.Test;

/** The validator must be able to fail: otherwise "zero errors" in other tests proves nothing. */
class FhirValidationTest {

    private final String heartRate = new ObservationWriter().write(UUID.randomUUID(), "v", ObservationWriterTest.PULSE,
            ObservationWriterTest.FNR_SUBJECT, null, ObservationWriterTest.ISSUED, false);

    @Test
    void showsWhatItSays() {
        FhirValidation.messages(heartRate).forEach(System.out::println);
        assertThat(FhirValidation.errors(heartRate)).isEmpty();
    }

    @Test
    void aHeartRateInKilogramsBreaksItsProfile() {
        String kg = heartRate.replace("\"unit\":\"/min\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"/min\"",
                "\"unit\":\"kg\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"kg\"");
        assertThat(kg).isNotEqualTo(heartRate);
        assertThat(FhirValidation.errors(kg)).isNotEmpty();
    }

    @Test
    void anObservationWithoutStatusIsInvalid() {
        String noStatus = heartRate.replace("\"status\":\"final\",", "");
        assertThat(noStatus).isNotEqualTo(heartRate);
        assertThat(FhirValidation.errors(noStatus)).isNotEmpty();
    }

    @Test
    void aBloodPressureWithoutItsLoincPanelCodeBreaksItsProfile() {
        String bp = new ObservationWriter().write(UUID.randomUUID(), "v", ObservationWriterTest.BP,
                ObservationWriterTest.FNR_SUBJECT, null, ObservationWriterTest.ISSUED, false);
        String noPanel = bp.replace("85354-9", "85354-0");
        assertThat(FhirValidation.errors(noPanel)).isNotEmpty();
    }
}
