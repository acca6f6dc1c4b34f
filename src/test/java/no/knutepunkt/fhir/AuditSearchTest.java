package no.knutepunkt.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import no.knutepunkt.audit.AuditEntry;

class AuditSearchTest {

    @Test
    void tokenStandsForItsSearch() {
        AuditSearch q = new AuditSearch(UUID.randomUUID(), Instant.parse("2026-01-01T00:00:00Z"), null, AuditEntry.Outcome.DENIED,
                "test-clinician-123", 25);
        assertThat(AuditSearch.isToken(q.token())).isTrue();
        assertThat(AuditSearch.fromToken(q.token())).isEqualTo(q);
        AuditSearch all = new AuditSearch(null, null, null, null, null, 3);
        assertThat(AuditSearch.fromToken(all.token())).isEqualTo(all);
        assertThat(AuditSearch.pageStart(AuditSearch.pageAfter(1234))).isEqualTo(1234L);
    }

    @Test
    void anythingElseIsNoToken() {
        assertThat(AuditSearch.fromToken("AQAB")).isNull();
        assertThat(AuditSearch.fromToken("audit.!!")).isNull();
        assertThat(AuditSearch.pageStart("first")).isNull();
        assertThat(AuditSearch.pageStart("s12x")).isNull();
    }
}
