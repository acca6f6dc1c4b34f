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
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import no.knutepunkt.registry.DeviceRouting;
import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.Registry;
import no.knutepunkt.testing.TestIdentities;
import no.knutepunkt.testing.Tokens;

/**
 * {@code GET /api/me/export}: a download of exactly the patient's data — their Patient, every
 * Observation, EpisodeOfCare and CareTeam of each enrollment, the consents, their AuditEvents —
 * that validates as a FHIR R4 Bundle, is audited with its counts, and is the patient's alone.
 */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PatientExportTest {

    static final String VENDOR = "export-test";
    static final int READINGS = 25;

    final OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    String municipality = TestIdentities.orgNumber();
    String gpPractice = TestIdentities.orgNumber();
    String fnr = TestIdentities.syntheticFnr();
    String otherFnr = TestIdentities.syntheticFnr();
    UUID patient;
    UUID otherPatient;
    List<UUID> enrollments = new ArrayList<>();
    List<UUID> consents = new ArrayList<>();
    Set<String> observations = new HashSet<>();
    Set<String> otherObservations = new HashSet<>();
    boolean accessed;

    @BeforeAll
    void register() throws SQLException {
        try (Registry r = new Registry()) {
            UUID m = r.organisation(municipality, "Eksportvik kommune", "municipality");
            UUID g = r.organisation(gpPractice, "Eksportvik legesenter", "gp-practice");
            patient = r.patient(fnr, "Eva", "Eksport");
            otherPatient = r.patient(otherFnr, "Egil", "Annen");
            UUID running = r.enrollment(patient, m, now.minusDays(60));
            r.careTeam(running, m, "follow-up-service");
            r.careTeam(running, g, "gp");
            UUID ended = r.enrollment(patient, m, now.minusDays(500));
            r.careTeam(ended, m, "follow-up-service");
            r.endEnrollment(ended, now.minusDays(300));
            enrollments.addAll(List.of(running, ended));
            consents.add(r.consent(running, patient, "home-follow-up", null, now.minusDays(61), "Eksportvik 1"));
            consents.add(r.consent(running, patient, "record-sharing", "Erik Eksport", now.minusDays(61), "Eksportvik 2"));
            UUID other = r.enrollment(otherPatient, m, now.minusDays(10));
            r.careTeam(other, g, "gp");
            r.consent(other, otherPatient, "home-follow-up", null, now.minusDays(11), "Eksportvik 3");
            r.vendor(VENDOR, "canonical");
            String serial = "EX-" + UUID.randomUUID();
            long device = r.device(VENDOR, serial);
            DeviceRouting.Subject mine = new DeviceRouting.Subject(patient, "fnr", fnr, "Eva Eksport", municipality, "Eksportvik kommune");
            DeviceRouting.Subject theirs = new DeviceRouting.Subject(otherPatient, "fnr", otherFnr, "Egil Annen", municipality,
                    "Eksportvik kommune");
            for (int i = 0; i < READINGS; i++) {
                observations.add(r.pulse(VENDOR, device, serial, running, mine, 60 + i % 30, now.minusHours(i + 1)).toString());
            }
            for (int i = 0; i < 3; i++) {
                otherObservations.add(r.pulse(VENDOR, device, serial, other, theirs, 80 + i, now.minusHours(i + 1).minusMinutes(30))
                        .toString());
            }
        }
    }

    /** Once (HTTP is not served yet while @BeforeAll runs): reads of both patients, for their access logs. */
    @BeforeEach
    void access() {
        if (accessed) {
            return;
        }
        accessed = true;
        String nurse = Tokens.clinician(gpPractice, CareRecordApiTest.hpr());
        CareRecordApiTest.get(nurse, "Observation?patient=" + patient + "&_count=5").then().statusCode(200);
        CareRecordApiTest.get(nurse, "Observation?patient=" + otherPatient).then().statusCode(200);
        CareRecordApiTest.get(nurse, "Consent?patient=" + patient).then().statusCode(200);
    }

    Response export(String token) {
        return given().auth().oauth2(token).get("/api/me/export");
    }

    Set<String> auditIdsOf(UUID p) throws SQLException {
        Set<String> ids = new HashSet<>();
        try (Registry r = new Registry(); PreparedStatement ps = r.connection().prepareStatement("SELECT id::text FROM audit_event WHERE patient_id = ?")) {
            ps.setObject(1, p);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return ids;
    }

    static Set<String> idsOf(Bundle b, String type) {
        Set<String> ids = new HashSet<>();
        for (Bundle.BundleEntryComponent e : b.getEntry()) {
            Resource r = e.getResource();
            if (r.fhirType().equals(type)) {
                ids.add(r.getIdElement().getIdPart());
                assertThat(e.getFullUrl()).endsWith("/fhir/" + type + "/" + r.getIdElement().getIdPart());
            }
        }
        return ids;
    }

    @Test
    void exportHoldsExactlyThePatientsDataAndValidates() throws SQLException {
        Set<String> auditBefore = auditIdsOf(patient);
        Response response = export(Tokens.patient(fnr));
        response.then().statusCode(200);
        assertThat(response.getContentType()).startsWith("application/fhir+json");
        assertThat(response.getHeader("Content-Disposition")).matches("attachment; filename=\"knutepunkt-eksport-\\d{4}-\\d{2}-\\d{2}\\.json\"");
        assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
        String json = response.asString();
        assertThat(FhirValidation.errors(json)).isEmpty();
        assertThat(json).doesNotContain(otherFnr).doesNotContain(otherPatient.toString());

        Bundle b = FhirValidation.context().newJsonParser().parseResource(Bundle.class, json);
        assertThat(b.getType()).isEqualTo(Bundle.BundleType.COLLECTION);
        assertThat(idsOf(b, "Patient")).containsExactly(patient.toString());
        assertThat(idsOf(b, "Observation")).isEqualTo(observations).doesNotContainAnyElementsOf(otherObservations);
        Set<String> enrollmentIds = new HashSet<>(enrollments.stream().map(UUID::toString).toList());
        assertThat(idsOf(b, "EpisodeOfCare")).isEqualTo(enrollmentIds);
        assertThat(idsOf(b, "CareTeam")).isEqualTo(enrollmentIds);
        assertThat(idsOf(b, "Consent")).isEqualTo(new HashSet<>(consents.stream().map(UUID::toString).toList()));
        // The access log as it stood when the export began: its own entry comes after.
        assertThat(idsOf(b, "AuditEvent")).isEqualTo(auditBefore);
        b.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(AuditEvent.class::isInstance).map(AuditEvent.class::cast)
                .forEach(a -> assertThat(AuditEventApiTest.patientsOf(a)).containsExactly(patient.toString()));
        assertThat(b.getEntry()).hasSize(1 + READINGS + 2 + 2 + 2 + auditBefore.size());

        String subject = "test-citizen-" + UUID.nameUUIDFromBytes(fnr.getBytes());
        CareRecordApiTest.AuditRow row = CareRecordApiTest.lastAudit(subject, null, "GET /api/me/export");
        assertThat(row).extracting(CareRecordApiTest.AuditRow::action, CareRecordApiTest.AuditRow::outcome,
                CareRecordApiTest.AuditRow::purpose, CareRecordApiTest.AuditRow::patient, CareRecordApiTest.AuditRow::resourceType)
                .containsExactly("export", "allowed", "own-data", patient, "Bundle");
        assertThat(row.ids()).containsExactly(b.getIdElement().getIdPart(), "Patient=1", "EpisodeOfCare=2", "CareTeam=2", "Consent=2",
                "Observation=" + READINGS, "AuditEvent=" + auditBefore.size());
        // The next export holds the record of this one.
        Set<String> afterFirst = auditIdsOf(patient);
        assertThat(afterFirst).hasSize(auditBefore.size() + 1);
        Bundle again = FhirValidation.context().newJsonParser().parseResource(Bundle.class,
                export(Tokens.patient(fnr)).then().statusCode(200).extract().asString());
        assertThat(idsOf(again, "AuditEvent")).isEqualTo(afterFirst);
    }

    /** Years of readings are written as they are read: the response goes out in chunks, not as one body of known length. */
    @Test
    void aLongHistoryIsStreamed() throws SQLException {
        String longFnr = TestIdentities.syntheticFnr();
        int readings = 3000;
        try (Registry r = new Registry()) {
            UUID m = r.organisation(municipality, "Eksportvik kommune", "municipality");
            UUID p = r.patient(longFnr, "Lang", "Historie");
            UUID e = r.enrollment(p, m, now.minusDays(800));
            String serial = "EX-LONG-" + UUID.randomUUID();
            long device = r.device(VENDOR, serial);
            DeviceRouting.Subject subject = new DeviceRouting.Subject(p, "fnr", longFnr, "Lang Historie", municipality, "Eksportvik kommune");
            r.connection().setAutoCommit(false);
            for (int i = 0; i < readings; i++) {
                r.pulse(VENDOR, device, serial, e, subject, 50 + i % 60, now.minusHours(6L * i + 1));
            }
            r.connection().commit();
        }
        Response response = export(Tokens.patient(longFnr));
        response.then().statusCode(200);
        assertThat(response.getHeader("Transfer-Encoding")).isEqualTo("chunked");
        assertThat(response.getHeader("Content-Length")).isNull();
        Bundle b = FhirValidation.context().newJsonParser().parseResource(Bundle.class, response.asString());
        assertThat(idsOf(b, "Observation")).hasSize(readings);
    }

    @Test
    void onlyARegisteredPatientExportsAndOnlyTheirOwn() throws SQLException {
        export(Tokens.clinician(gpPractice, CareRecordApiTest.hpr())).then().statusCode(403);
        export(Tokens.operator()).then().statusCode(403);
        String stranger = TestIdentities.syntheticFnr();
        export(Tokens.patient(stranger)).then().statusCode(403);
        String subject = "test-citizen-" + UUID.nameUUIDFromBytes(stranger.getBytes());
        assertThat(CareRecordApiTest.lastAudit(subject, null, "GET /api/me/export"))
                .extracting(CareRecordApiTest.AuditRow::action, CareRecordApiTest.AuditRow::outcome, CareRecordApiTest.AuditRow::reason)
                .containsExactly("export", "denied", "no-such-patient");
        // The other patient's export is theirs, and holds none of the first patient's readings.
        Bundle theirs = FhirValidation.context().newJsonParser().parseResource(Bundle.class,
                export(Tokens.patient(otherFnr)).then().statusCode(200).extract().asString());
        assertThat(idsOf(theirs, "Observation")).isEqualTo(otherObservations);
        given().get("/api/me/export").then().statusCode(401);
    }
}
