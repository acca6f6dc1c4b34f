package no.knutepunkt.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import no.knutepunkt.common.Kind;
import no.knutepunkt.common.ObservationKind;
import no.knutepunkt.common.Reading;
import no.knutepunkt.common.Value;
import no.knutepunkt.fhir.ObservationWriter;
import no.knutepunkt.registry.DeviceRouting.Subject;
import no.knutepunkt.testing.TestIdentities;

/** The page shows what the hub's own Observation writer wrote: read back from its output, kind by kind. */
class ShownReadingTest {

    static final OffsetDateTime AT = OffsetDateTime.parse("2026-11-22T08:15:00+01:00");
    static final Subject KARI = new Subject(UUID.randomUUID(), "fnr", TestIdentities.syntheticFnr(), "Kari Nordmann", "974760673",
            "Testkommune");

    final ObservationWriter writer = new ObservationWriter();

    ShownReading shown(ObservationKind kind, Value... values) {
        return shown(new Reading("m1#" + kind.key(), kind, List.of(values), "NT-1", null, AT, null, false));
    }

    ShownReading shown(Reading r) {
        return ShownReading.of(r.kind().key(), writer.write(UUID.randomUUID(), "nordic-telecare", r, KARI, null, AT, false));
    }

    static Value v(Kind kind, String value) {
        return Value.exact(kind, new BigDecimal(value));
    }

    @Test
    void bloodPressureShowsSystolicOverDiastolicWhateverTheOrder() {
        assertThat(shown(ObservationKind.BLOOD_PRESSURE, v(Kind.DIASTOLIC, "84"), v(Kind.MEAN_ARTERIAL, "100"), v(Kind.SYSTOLIC, "132")))
                .isEqualTo(new ShownReading("Blood pressure", "132/84", "mm[Hg]", false));
    }

    @Test
    void singleValuesKeepTheirStoredDecimalsAndUcumUnit() {
        assertThat(shown(ObservationKind.BODY_WEIGHT, v(Kind.WEIGHT, "80.0")))
                .isEqualTo(new ShownReading("Weight", "80.0", "kg", false));
        assertThat(shown(ObservationKind.BODY_TEMPERATURE, v(Kind.TEMPERATURE, "37.2")))
                .isEqualTo(new ShownReading("Temperature", "37.2", "Cel", false));
        assertThat(shown(ObservationKind.OXYGEN_SATURATION, v(Kind.SPO2, "94")))
                .isEqualTo(new ShownReading("SpO\u2082", "94", "%", false));
        assertThat(shown(ObservationKind.HEART_RATE, v(Kind.PULSE, "71")).unit()).isEqualTo("/min");
        assertThat(shown(ObservationKind.RESPIRATORY_RATE, v(Kind.RESPIRATORY_RATE, "16")).label()).isEqualTo("Respiratory rate");
    }

    @Test
    void aGlucoseMetersHighShowsAsAboveItsLimit() {
        assertThat(shown(ObservationKind.BLOOD_GLUCOSE, new Value(Kind.GLUCOSE, null, ">").withLimit(new BigDecimal("33.3"))))
                .isEqualTo(new ShownReading("Blood glucose", "> 33.3", "mmol/L", false));
    }

    @Test
    void aReadingWhoseDeviceClockWasWrongSaysSo() {
        Reading badClock = new Reading("GW-1:7", ObservationKind.OXYGEN_SATURATION, List.of(v(Kind.SPO2, "95")), "OX-1", null, AT,
                OffsetDateTime.parse("1999-12-31T23:59:58Z"), false);
        assertThat(shown(badClock).deviceClockWrong()).isTrue();
    }

    @Test
    void everyKindHasWords() {
        for (ObservationKind k : ObservationKind.values()) {
            assertThat(ShownReading.label(k.key())).as(k.name()).isNotEqualTo(k.key());
        }
    }
}
