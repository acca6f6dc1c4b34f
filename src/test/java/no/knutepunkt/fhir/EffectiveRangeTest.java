package no.knutepunkt.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import org.junit.jupiter.api.Test;

import ca.uhn.fhir.rest.api.QualifiedParamList;
import ca.uhn.fhir.rest.param.DateParam;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;

class EffectiveRangeTest {

    static final ZoneId OSLO = ZoneId.of("Europe/Oslo");

    static Instant t(String s) {
        return Instant.parse(s);
    }

    @Test
    void aDateIsThatWholeDayInTheConfiguredZone() {
        // Oslo is UTC+1 in winter, UTC+2 in summer.
        assertThat(EffectiveRange.interval("2026-03-02", OSLO)).containsExactly(t("2026-03-01T23:00:00Z"), t("2026-03-02T23:00:00Z"));
        assertThat(EffectiveRange.interval("2026-07-01", OSLO)).containsExactly(t("2026-06-30T22:00:00Z"), t("2026-07-01T22:00:00Z"));
        // The day clocks go forward has 23 hours.
        assertThat(EffectiveRange.interval("2026-03-29", OSLO)).containsExactly(t("2026-03-28T23:00:00Z"), t("2026-03-29T22:00:00Z"));
    }

    @Test
    void coarserAndFinerPrecisions() {
        assertThat(EffectiveRange.interval("2026", OSLO)).containsExactly(t("2025-12-31T23:00:00Z"), t("2026-12-31T23:00:00Z"));
        assertThat(EffectiveRange.interval("2026-02", OSLO)).containsExactly(t("2026-01-31T23:00:00Z"), t("2026-02-28T23:00:00Z"));
        assertThat(EffectiveRange.interval("2026-03-02T08:15+01:00", OSLO))
                .containsExactly(t("2026-03-02T07:15:00Z"), t("2026-03-02T07:16:00Z"));
        assertThat(EffectiveRange.interval("2026-03-02T08:00:00+01:00", OSLO))
                .containsExactly(t("2026-03-02T07:00:00Z"), t("2026-03-02T07:00:01Z"));
        assertThat(EffectiveRange.interval("2026-03-02T08:00:00.5Z", OSLO))
                .containsExactly(t("2026-03-02T08:00:00.500Z"), t("2026-03-02T08:00:00.600Z"));
        assertThat(EffectiveRange.interval("2026-03-02T08:00:00.250Z", OSLO))
                .containsExactly(t("2026-03-02T08:00:00.250Z"), t("2026-03-02T08:00:00.251Z"));
        // A time without offset is local time in the zone.
        assertThat(EffectiveRange.interval("2026-03-02T08:00:00", OSLO))
                .containsExactly(t("2026-03-02T07:00:00Z"), t("2026-03-02T07:00:01Z"));
    }

    @Test
    void prefixesFollowFhirRulesForAPointInTime() {
        assertThat(range("2026-03-02")).isEqualTo(new EffectiveRange(t("2026-03-01T23:00:00Z"), t("2026-03-02T23:00:00Z")));
        assertThat(range("ge2026-03-02")).isEqualTo(new EffectiveRange(t("2026-03-01T23:00:00Z"), null));
        assertThat(range("gt2026-03-02")).isEqualTo(new EffectiveRange(t("2026-03-02T23:00:00Z"), null));
        assertThat(range("sa2026-03-02")).isEqualTo(new EffectiveRange(t("2026-03-02T23:00:00Z"), null));
        assertThat(range("le2026-03-02")).isEqualTo(new EffectiveRange(null, t("2026-03-02T23:00:00Z")));
        assertThat(range("lt2026-03-02")).isEqualTo(new EffectiveRange(null, t("2026-03-01T23:00:00Z")));
        assertThat(range("eb2026-03-02")).isEqualTo(new EffectiveRange(null, t("2026-03-01T23:00:00Z")));
        assertThat(EffectiveRange.of(new DateRangeParam(new DateParam("ge2026-03-02"), new DateParam("lt2026-03-04T12:00:00Z")), OSLO))
                .isEqualTo(new EffectiveRange(t("2026-03-01T23:00:00Z"), t("2026-03-04T12:00:00Z")));
        assertThat(EffectiveRange.of(null, OSLO)).isEqualTo(EffectiveRange.ALL);
    }

    @Test
    void unsupportedPrefixesAndImpossibleDatesAreBadRequests() {
        assertThatThrownBy(() -> range("ne2026-03-02")).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> range("ap2026-03-02")).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> EffectiveRange.interval("2026-02-30", OSLO)).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> EffectiveRange.interval("2026-3-2", OSLO)).isInstanceOf(InvalidRequestException.class);
    }

    /** As the server builds it from {@code date=param}. */
    static EffectiveRange range(String param) {
        DateRangeParam r = new DateRangeParam();
        r.setValuesAsQueryTokens(FhirValidation.context(), "date", List.of(QualifiedParamList.singleton(param)));
        return EffectiveRange.of(r, OSLO);
    }
}
