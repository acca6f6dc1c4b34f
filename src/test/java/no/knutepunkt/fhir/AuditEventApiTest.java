package no.knutepunkt.fhir;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.Registry;
import no.knutepunkt.testing.TestIdentities;
import no.knutepunkt.testing.Tokens;

/**
 * The audit log as FHIR AuditEvents: the patient sees their own events and nobody else's (not
 * even through another patient's page link), the operator pages the whole log and filters it,
 * each search request is one audit entry, and staff who are not the operator are refused.
 */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditEventApiTest {

    final OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    String municipality = TestIdentities.orgNumber();
    String gpPractice = TestIdentities.orgNumber();
    String fnr = TestIdentities.syntheticFnr();
    String otherFnr = TestIdentities.syntheticFnr();
    String nurseHpr = CareRecordApiTest.hpr();
    String blockedHpr = CareRecordApiTest.hpr();
    UUID patient;
    UUID otherPatient;
    String operatorSubject;
    boolean accessed;

    @BeforeAll
    void register() throws SQLException {
        try (Registry r = new Registry()) {
            UUID m = r.organisation(municipality, "Loggvik kommune", "municipality");
            UUID g = r.organisation(gpPractice, "Loggvik legesenter", "gp-practice");
            patient = r.patient(fnr, "Liv", "Logg");
            otherPatient = r.patient(otherFnr, "Lars", "Annen");
            for (UUID p : List.of(patient, otherPatient)) {
                UUID e = r.enrollment(p, m, now.minusDays(5));
                r.careTeam(e, m, "follow-up-service");
                r.careTeam(e, g, "gp");
            }
            r.block(patient, blockedHpr);
        }
        operatorSubject = Tokens.issuer().claims("operator").get("sub").toString();
    }

    /** Once, before the first test: HTTP is not served yet while @BeforeAll runs. */
    @BeforeEach
    void access() {
        if (accessed) {
            return;
        }
        accessed = true;
        // What the log will hold about the two patients: a nurse's reads of both, a refused attempt on one.
        String nurse = Tokens.clinician(gpPractice, nurseHpr);
        CareRecordApiTest.get(nurse, "Patient/" + patient).then().statusCode(200);
        CareRecordApiTest.get(nurse, "Patient/" + otherPatient).then().statusCode(200);
        CareRecordApiTest.get(nurse, "EpisodeOfCare?patient=" + patient).then().statusCode(200);
        CareRecordApiTest.get(Tokens.clinician(gpPractice, blockedHpr), "Patient/" + patient).then().statusCode(403);
    }

    static Bundle bundle(Response r) {
        String json = r.then().statusCode(200).extract().asString();
        assertThat(FhirValidation.errors(json)).isEmpty();
        return FhirValidation.context().newJsonParser().parseResource(Bundle.class, json);
    }

    static List<AuditEvent> events(Bundle b) {
        List<AuditEvent> out = new ArrayList<>();
        b.getEntry().forEach(e -> out.add((AuditEvent) e.getResource()));
        return out;
    }

    static Set<String> patientsOf(AuditEvent a) {
        Set<String> out = new HashSet<>();
        a.getEntity().forEach(e -> {
            if (e.getWhat().getReference() != null && e.getWhat().getReference().startsWith("Patient/")) {
                out.add(e.getWhat().getReference().substring("Patient/".length()));
            }
        });
        return out;
    }

    static String hprOf(AuditEvent a) {
        return a.getContained().stream().filter(PractitionerRole.class::isInstance).map(PractitionerRole.class::cast)
                .map(pr -> pr.getPractitioner().getIdentifier().getValue()).filter(java.util.Objects::nonNull).findFirst().orElse(null);
    }

    static Response next(String token, Bundle b) {
        String url = b.getLink(Bundle.LINK_NEXT).getUrl();
        return given().urlEncodingEnabled(false).auth().oauth2(token).accept("application/fhir+json").get(url);
    }

    long auditRows(String subject) throws SQLException {
        try (Registry r = new Registry()) {
            return r.count("SELECT count(*) FROM audit_event WHERE subject = ? AND resource_type = 'AuditEvent'", subject);
        }
    }

    // --- the patient

    @Test
    void patientSeesWhoReadTheirDataAndWhoWasRefusedButNobodyElsesEvents() throws SQLException {
        String token = Tokens.patient(fnr);
        List<AuditEvent> mine = events(bundle(CareRecordApiTest.get(token, "AuditEvent?patient=" + patient)));
        assertThat(mine).isNotEmpty();
        assertThat(mine).allSatisfy(a -> assertThat(patientsOf(a)).containsExactly(patient.toString()));
        assertThat(mine).anySatisfy(a -> {
            assertThat(hprOf(a)).isEqualTo(nurseHpr);
            assertThat(a.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
            assertThat(a.getPurposeOfEventFirstRep().getCodingFirstRep().getCode()).isEqualTo("TREAT");
        });
        assertThat(mine).anySatisfy(a -> {
            assertThat(hprOf(a)).isEqualTo(blockedHpr);
            assertThat(a.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._4);
            assertThat(a.getOutcomeDesc()).isEqualTo("blocked-by-patient");
        });
        // The people's network addresses and token subjects are for investigating misuse, not for this page.
        assertThat(mine).allSatisfy(a -> {
            assertThat(a.getAgentFirstRep().hasNetwork()).isFalse();
            assertThat(a.getAgentFirstRep().hasAltId()).isFalse();
        });
        String subject = "test-citizen-" + UUID.nameUUIDFromBytes(fnr.getBytes());
        CareRecordApiTest.AuditRow row = CareRecordApiTest.lastAudit(subject, null, "GET /fhir/AuditEvent");
        assertThat(row).extracting(CareRecordApiTest.AuditRow::action, CareRecordApiTest.AuditRow::outcome,
                CareRecordApiTest.AuditRow::purpose, CareRecordApiTest.AuditRow::patient, CareRecordApiTest.AuditRow::resourceType)
                .containsExactly("search", "allowed", "own-data", patient, "AuditEvent");
        assertThat(row.ids()).containsExactlyElementsOf(mine.stream().map(a -> a.getIdElement().getIdPart()).toList());

        AuditEvent one = CareRecordApiTest.parse(CareRecordApiTest.get(token, "AuditEvent/" + mine.get(0).getIdElement().getIdPart()),
                AuditEvent.class);
        assertThat(patientsOf(one)).containsExactly(patient.toString());
    }

    @Test
    void patientIsRefusedAnotherPatientsEventsTheWholeLogAndAnotherPatientsPageLinks() throws SQLException {
        String token = Tokens.patient(fnr);
        CareRecordApiTest.get(token, "AuditEvent?patient=" + otherPatient).then().statusCode(403);
        CareRecordApiTest.get(token, "AuditEvent").then().statusCode(403);
        CareRecordApiTest.get(token, "AuditEvent?outcome=4").then().statusCode(403);
        String otherEvent;
        try (Registry r = new Registry()) {
            otherEvent = r.text("SELECT id::text FROM audit_event WHERE patient_id = ? ORDER BY seq DESC LIMIT 1", otherPatient);
        }
        CareRecordApiTest.get(token, "AuditEvent/" + otherEvent).then().statusCode(403);

        // The other patient pages their own log; the first patient replays that page link.
        String other = Tokens.patient(otherFnr);
        Bundle first = bundle(CareRecordApiTest.get(other, "AuditEvent?patient=" + otherPatient + "&_count=1"));
        assertThat(first.getLink(Bundle.LINK_NEXT)).isNotNull();
        next(token, first).then().statusCode(403);
        Bundle second = bundle(next(other, first));
        assertThat(events(second)).allSatisfy(a -> assertThat(patientsOf(a)).containsExactly(otherPatient.toString()));
        assertThat(events(second).get(0).getId()).isNotEqualTo(events(first).get(0).getId());
    }

    // --- the operator

    @Test
    void operatorPagesTheWholeLogNewestFirstAndEachRequestIsOneAuditEntry() throws SQLException {
        String token = Tokens.operator();
        long before = auditRows(operatorSubject);
        Bundle first = bundle(CareRecordApiTest.get(token, "AuditEvent?_count=3"));
        assertThat(first.getEntry()).hasSize(3);
        Bundle second = bundle(next(token, first));
        assertThat(second.getEntry()).hasSize(3);
        List<String> ids = new ArrayList<>();
        events(first).forEach(a -> ids.add(a.getIdElement().getIdPart()));
        events(second).forEach(a -> ids.add(a.getIdElement().getIdPart()));
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(seqs(ids)).isSortedAccordingTo((a, b) -> Long.compare(b, a));
        // Two requests, two entries: the record of a search is not itself recorded again when shown.
        assertThat(auditRows(operatorSubject)).isEqualTo(before + 2);
        CareRecordApiTest.AuditRow row = CareRecordApiTest.lastAudit(operatorSubject, Tokens.OPERATOR_ORG, "GET /fhir/AuditEvent");
        assertThat(row).extracting(CareRecordApiTest.AuditRow::action, CareRecordApiTest.AuditRow::outcome,
                CareRecordApiTest.AuditRow::purpose, CareRecordApiTest.AuditRow::patient).containsExactly("search", "allowed", "operations", null);
        assertThat(row.ids()).containsExactlyElementsOf(ids.subList(0, 3));
        // The newest event the operator's next search sees is the record of the search before it.
        Bundle again = bundle(CareRecordApiTest.get(token, "AuditEvent?_count=1&agent=" + operatorSubject));
        assertThat(events(again).get(0).getAgentFirstRep().getAltId()).isEqualTo(operatorSubject);
        assertThat(events(again).get(0).getSubtypeFirstRep().getCode()).isEqualTo("search-type");
    }

    @Test
    void operatorFiltersByPatientOutcomeAgentAndDateAndSeesTheNetworkAddress() {
        String token = Tokens.operator();
        List<AuditEvent> refused = events(bundle(CareRecordApiTest.get(token, "AuditEvent?patient=" + patient + "&outcome=4")));
        assertThat(refused).isNotEmpty().allSatisfy(a -> {
            assertThat(a.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._4);
            assertThat(patientsOf(a)).containsExactly(patient.toString());
        });
        assertThat(refused).anySatisfy(a -> assertThat(hprOf(a)).isEqualTo(blockedHpr));
        String nurseSubject = CareRecordApiTest.clinicianSubject(nurseHpr);
        List<AuditEvent> nurse = events(bundle(CareRecordApiTest.get(token, "AuditEvent?agent=" + nurseSubject)));
        assertThat(nurse).hasSize(3).allSatisfy(a -> {
            assertThat(a.getAgentFirstRep().getAltId()).isEqualTo(nurseSubject);
            assertThat(a.getAgentFirstRep().getNetwork().getAddress()).isNotBlank();
        });
        assertThat(nurse).flatExtracting(AuditEventApiTest::patientsOf).contains(patient.toString(), otherPatient.toString());
        String today = now.toLocalDate().minusDays(1).toString();
        assertThat(events(bundle(CareRecordApiTest.get(token, "AuditEvent?agent=" + nurseSubject + "&date=ge" + today)))).hasSize(3);
        assertThat(events(bundle(CareRecordApiTest.get(token, "AuditEvent?agent=" + nurseSubject + "&date=lt" + today)))).isEmpty();
    }

    @Test
    void staffOtherThanTheOperatorAreRefusedTheLog() {
        String colleague = Tokens.clinician(gpPractice, CareRecordApiTest.hpr());
        CareRecordApiTest.get(colleague, "AuditEvent?patient=" + patient).then().statusCode(403);
        CareRecordApiTest.get(colleague, "AuditEvent").then().statusCode(403);
        CareRecordApiTest.get(Tokens.admin(municipality), "AuditEvent?patient=" + patient).then().statusCode(403);
    }

    List<Long> seqs(List<String> ids) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (Registry r = new Registry(); PreparedStatement ps = r.connection().prepareStatement("SELECT seq FROM audit_event WHERE id = ?::uuid")) {
            for (String id : ids) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    out.add(rs.getLong(1));
                }
            }
        }
        return out;
    }
}
