package no.knutepunkt.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;

import org.junit.jupiter.api.Test;

import no.knutepunkt.common.Kind;
import no.knutepunkt.common.ObservationKind;
import no.knutepunkt.common.Reading;
import no.knutepunkt.common.Value;

/** A parked reading comes back exactly as it was parked: values, scale, offsets, clock flag. */
class ParkedReadingsTest {

    private final ParkedReadings parked = new ParkedReadings(null, null, null, null);

    @Test
    void roundTripKeepsEverything() {
        Reading bp = new Reading("m#bp", ObservationKind.BLOOD_PRESSURE,
                List.of(Value.exact(Kind.SYSTOLIC, new BigDecimal("132")), Value.exact(Kind.DIASTOLIC, new BigDecimal("84"))), "BP-1", "M-1",
                OffsetDateTime.parse("2026-11-22T08:15:00.250+01:00"), null, false);
        Reading hi = new Reading("GW:7", ObservationKind.BLOOD_GLUCOSE, List.of(new Value(Kind.GLUCOSE, null, ">")), "GL-1", null,
                OffsetDateTime.parse("2026-11-22T07:15:03Z"), OffsetDateTime.parse("1970-01-01T00:00:09Z"), false);
        Reading weight = new Reading("m#weight", ObservationKind.BODY_WEIGHT, List.of(Value.exact(Kind.WEIGHT, new BigDecimal("80.0"))),
                "SC-1", null, OffsetDateTime.parse("2026-11-22T08:15:00-03:30"), null, false);
        for (Reading r : List.of(bp, hi, weight)) {
            ParkedReadings.Parked back = parked.deserialise(parked.serialise(new ParkedReadings.Parked(r, "GW")));
            assertThat(back.reading()).isEqualTo(r);
            assertThat(back.reading().effective().getOffset()).isEqualTo(r.effective().getOffset());
            assertThat(back.gatewayId()).isEqualTo("GW");
        }
        assertThat(parked.deserialise(parked.serialise(new ParkedReadings.Parked(weight, null))).reading().values().get(0).value()
                .toPlainString()).isEqualTo("80.0");
    }
}
