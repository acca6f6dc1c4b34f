package no.knutepunkt.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class ObservationSearchTest {

    @Test
    void aSearchSurvivesItsToken() {
        ObservationSearch full = new ObservationSearch(UUID.randomUUID(), List.of("bp", "pulse"), "acme-medical", "ACME-1#bp",
                Instant.parse("2026-03-01T23:00:00Z"), Instant.parse("2026-03-02T23:00:00.000000500Z"), true, 7);
        ObservationSearch bare = new ObservationSearch(null, List.of(), null, "x|y", null, null, false, 50);
        for (ObservationSearch q : List.of(full, bare)) {
            assertThat(q.token()).matches("[A-Za-z0-9_-]+");
            assertThat(ObservationSearch.fromToken(q.token())).isEqualTo(q);
        }
    }

    @Test
    void aTokenThatIsNotOneIsNull() {
        assertThat(ObservationSearch.fromToken("bm9wZQ")).isNull();
        assertThat(ObservationSearch.fromToken("!!")).isNull();
        assertThat(ObservationSearch.fromToken("")).isNull();
        String token = new ObservationSearch(UUID.randomUUID(), List.of("bp"), null, null, null, null, false, 5).token();
        assertThat(ObservationSearch.fromToken(token.substring(0, token.length() - 4))).isNull();
    }

    @Test
    void aSearchNeedsAPatientOrAnIdentifier() {
        assertThatThrownBy(() -> new ObservationSearch(null, List.of("bp"), null, null, null, null, false, 5))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCursorSurvivesItsPageId() {
        for (boolean before : new boolean[] {true, false}) {
            ObservationSearch.Cursor c = new ObservationSearch.Cursor(before, Instant.parse("2026-03-02T07:00:00.123456Z"), UUID.randomUUID());
            assertThat(ObservationSearch.Cursor.parse(c.pageId())).isEqualTo(c);
        }
        assertThat(ObservationSearch.Cursor.parse(ObservationPage.FIRST)).isNull();
        assertThat(ObservationSearch.Cursor.parse("a1.2")).isNull();
        assertThat(ObservationSearch.Cursor.parse("c1.2." + UUID.randomUUID())).isNull();
        assertThat(ObservationSearch.Cursor.parse("")).isNull();
    }
}
