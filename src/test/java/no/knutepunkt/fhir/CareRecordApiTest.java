package no.knutepunkt.fhir;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.junit.jupiter.api.BeforeAll;
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
 * EpisodeOfCare, CareTeam and Consent over the FHIR API, for every kind of caller: the care team's
 * clinician, one of another organisation, one the patient blocked, the responsible municipality's
 * admin and another's, the patient and another patient, the operator. Each read is checked in the
 * audit log (outcome, purpose, ids), and each resource returned against the R4 core profiles.
 */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CareRecordApiTest {

    final OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    String municipality = TestIdentities.orgNumber();
    String otherMunicipality = TestIdentities.orgNumber();
    String gpPractice = TestIdentities.orgNumber();
    String hospital = TestIdentities.orgNumber();
    String elsewhere = TestIdentities.orgNumber();
    String fnr = TestIdentities.syntheticFnr();
    String otherFnr = TestIdentities.syntheticFnr();
    UUID patient;
    UUID otherPatient;
    UUID running;
    UUID ended;
    UUID otherEnrollment;
    UUID consent;
    UUID withdrawn;
    UUID otherConsent;

    static String hpr() {
        return String.valueOf(ThreadLocalRandom.current().nextInt(1_000_000, 9_999_999));
    }

    @BeforeAll
    void register() throws SQLException {
        try (Registry r = new Registry()) {
            UUID m = r.organisation(municipality, "Prøvevik kommune", "municipality");
            UUID m2 = r.organisation(otherMunicipality, "Nabovik kommune", "municipality");
            UUID g = r.organisation(gpPractice, "Prøvevik legesenter", "gp-practice");
            UUID h = r.organisation(hospital, "Prøvevik sykehus HF", "hospital");
            r.organisation(elsewhere, "Fjernt legekontor", "gp-practice");
            patient = r.patient(fnr, "Kari", "Prøve");
            otherPatient = r.patient(otherFnr, "Per", "Nabo");
            running = r.enrollment(patient, m, now.minusDays(30));
            r.careTeam(running, m, "follow-up-service");
            r.careTeam(running, g, "gp");
            r.careTeam(running, h, "hospital");
            r.pause(running, now.minusDays(10), now.minusDays(8));
            r.pause(running, now.minusDays(1), null);
            ended = r.enrollment(patient, m, now.minusDays(400));
            r.careTeam(ended, m, "follow-up-service");
            r.endEnrollment(ended, now.minusDays(200));
            consent = r.consent(running, patient, "home-follow-up", null, now.minusDays(31), "Arkiv 2026/17");
            withdrawn = r.consent(running, patient, "record-sharing", "Ola Prøve", now.minusDays(31), "Journalnotat 4");
            r.withdrawConsent(withdrawn, now.minusDays(5));
            otherEnrollment = r.enrollment(otherPatient, m2, now.minusDays(20));
            r.careTeam(otherEnrollment, m2, "follow-up-service");
            otherConsent = r.consent(otherEnrollment, otherPatient, "home-follow-up", null, now.minusDays(21), "Nabovik 9");
            r.vendor("care-record-test", "canonical");
            String serial = "CR-" + UUID.randomUUID();
            long device = r.device("care-record-test", serial);
            DeviceRouting.Subject subject = new DeviceRouting.Subject(patient, "fnr", fnr, "Kari Prøve", municipality, "Prøvevik kommune");
            for (int i = 0; i < 3; i++) {
                r.pulse("care-record-test", device, serial, running, subject, 70 + i, now.minusHours(i + 1));
            }
        }
    }

    // --- helpers

    static Response get(String token, String path) {
        return given().auth().oauth2(token).accept("application/fhir+json").get("/fhir/" + path);
    }

    static <T extends IBaseResource> T parse(Response r, Class<T> type) {
        String json = r.then().statusCode(200).extract().asString();
        assertThat(FhirValidation.errors(json)).as(type.getSimpleName()).isEmpty();
        return FhirValidation.context().newJsonParser().parseResource(type, json);
    }

    /** A row of the audit log, newest first among those of this caller and entry point. */
    record AuditRow(long seq, String action, String outcome, String purpose, UUID patient, String resourceType, List<String> ids,
            String reason) {
    }

    static AuditRow lastAudit(String subject, String organisation, String entryPoint) throws SQLException {
        try (Registry r = new Registry(); PreparedStatement ps = r.connection().prepareStatement("""
                SELECT seq, action, outcome, purpose, patient_id, resource_type, resource_ids, reason FROM audit_event
                 WHERE subject = ? AND organisation_number IS NOT DISTINCT FROM ? AND entry_point = ?
                 ORDER BY seq DESC LIMIT 1""")) {
            ps.setString(1, subject);
            ps.setString(2, organisation);
            ps.setString(3, entryPoint);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("an audit row of %s at %s", subject, entryPoint).isTrue();
                Array ids = rs.getArray(7);
                return new AuditRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getObject(5, UUID.class),
                        rs.getString(6), new ArrayList<>(Arrays.asList((String[]) ids.getArray())), rs.getString(8));
            }
        }
    }

    static String clinicianSubject(String hpr) {
        return "test-clinician-" + hpr;
    }

    // --- the care team's clinician

    @Test
    void clinicianInTheCareTeamReadsEachViewAndEachReadIsAuditedWithItsIds() throws SQLException {
        String hpr = hpr();
        String token = Tokens.clinician(gpPractice, hpr);
        String who = clinicianSubject(hpr);

        EpisodeOfCare ep = parse(get(token, "EpisodeOfCare/" + running), EpisodeOfCare.class);
        assertThat(ep.getStatus()).isEqualTo(EpisodeOfCare.EpisodeOfCareStatus.ONHOLD);
        assertThat(ep.getPatient().getReference()).isEqualTo("Patient/" + patient);
        assertThat(ep.getPatient().getIdentifier().getValue()).isEqualTo(fnr);
        assertThat(ep.getManagingOrganization().getIdentifier().getValue()).isEqualTo(municipality);
        assertThat(ep.getTypeFirstRep().getCodingFirstRep().getCode()).isEqualTo("copd");
        assertThat(ep.getTeamFirstRep().getReference()).isEqualTo("CareTeam/" + running);
        assertThat(ep.getStatusHistory()).extracting(s -> s.getStatus().toCode()).containsExactly("active", "onhold", "active", "onhold");
        AuditRow row = lastAudit(who, gpPractice, "GET /fhir/EpisodeOfCare/" + running);
        assertThat(row).extracting(AuditRow::action, AuditRow::outcome, AuditRow::purpose, AuditRow::patient, AuditRow::resourceType)
                .containsExactly("read", "allowed", "treatment", patient, "EpisodeOfCare");
        assertThat(row.ids()).containsExactly(running.toString());

        CareTeam team = parse(get(token, "CareTeam/" + running), CareTeam.class);
        assertThat(team.getStatus()).isEqualTo(CareTeam.CareTeamStatus.SUSPENDED);
        assertThat(team.getParticipant()).extracting(p -> p.getMember().getIdentifier().getValue())
                .containsExactly(municipality, gpPractice, hospital);
        assertThat(lastAudit(who, gpPractice, "GET /fhir/CareTeam/" + running).ids()).containsExactly(running.toString());

        Consent c = parse(get(token, "Consent/" + consent), Consent.class);
        assertThat(c.getStatus()).isEqualTo(Consent.ConsentState.ACTIVE);
        assertThat(c.getSourceAttachment().getTitle()).isEqualTo("Arkiv 2026/17");
        assertThat(lastAudit(who, gpPractice, "GET /fhir/Consent/" + consent).ids()).containsExactly(consent.toString());

        Bundle episodes = parse(get(token, "EpisodeOfCare?patient=" + patient), Bundle.class);
        assertThat(episodes.getEntry()).extracting(e -> e.getResource().getIdElement().getIdPart())
                .containsExactlyInAnyOrder(running.toString(), ended.toString());
        assertThat(episodes.getEntry()).extracting(e -> ((EpisodeOfCare) e.getResource()).getStatus())
                .containsExactlyInAnyOrder(EpisodeOfCare.EpisodeOfCareStatus.ONHOLD, EpisodeOfCare.EpisodeOfCareStatus.FINISHED);
        AuditRow search = lastAudit(who, gpPractice, "GET /fhir/EpisodeOfCare");
        assertThat(search).extracting(AuditRow::action, AuditRow::outcome, AuditRow::purpose).containsExactly("search", "allowed", "treatment");
        assertThat(search.ids()).containsExactlyInAnyOrder(running.toString(), ended.toString());

        Bundle teams = parse(get(token, "CareTeam?patient=Patient/" + patient), Bundle.class);
        assertThat(teams.getEntry()).hasSize(2);
        Bundle consents = parse(get(token, "Consent?patient.identifier=urn:oid:2.16.578.1.12.4.1.4.1|" + fnr), Bundle.class);
        assertThat(consents.getEntry()).extracting(e -> ((Consent) e.getResource()).getStatus())
                .containsExactlyInAnyOrder(Consent.ConsentState.ACTIVE, Consent.ConsentState.INACTIVE);
        assertThat(lastAudit(who, gpPractice, "GET /fhir/Consent").ids()).containsExactlyInAnyOrder(consent.toString(), withdrawn.toString());
    }

    // --- refused callers

    @Test
    void clinicianOfAnotherOrganisationIsRefusedAndTheRefusalAudited() throws SQLException {
        String hpr = hpr();
        String token = Tokens.clinician(elsewhere, hpr);
        get(token, "EpisodeOfCare/" + running).then().statusCode(403);
        AuditRow row = lastAudit(clinicianSubject(hpr), elsewhere, "GET /fhir/EpisodeOfCare/" + running);
        assertThat(row).extracting(AuditRow::action, AuditRow::outcome, AuditRow::patient, AuditRow::reason)
                .containsExactly("read", "denied", patient, "no-care-relation");
        assertThat(row.ids()).isEmpty();
        get(token, "CareTeam?patient=" + patient).then().statusCode(403);
        assertThat(lastAudit(clinicianSubject(hpr), elsewhere, "GET /fhir/CareTeam").outcome()).isEqualTo("denied");
        get(token, "Consent/" + consent).then().statusCode(403);
    }

    @Test
    void clinicianThePatientBlockedIsRefusedInsideTheCareTeam() throws SQLException {
        String hpr = hpr();
        try (Registry r = new Registry()) {
            r.block(patient, hpr);
        }
        String token = Tokens.clinician(gpPractice, hpr);
        get(token, "EpisodeOfCare/" + running).then().statusCode(403);
        get(token, "CareTeam/" + running).then().statusCode(403);
        get(token, "Consent?patient=" + patient).then().statusCode(403);
        AuditRow row = lastAudit(clinicianSubject(hpr), gpPractice, "GET /fhir/Consent");
        assertThat(row).extracting(AuditRow::outcome, AuditRow::reason).containsExactly("denied", "blocked-by-patient");
    }

    @Test
    void unknownIdsAndPatientsAreRefusedLikeForbiddenOnes() throws SQLException {
        String hpr = hpr();
        String token = Tokens.clinician(gpPractice, hpr);
        UUID nothing = UUID.randomUUID();
        get(token, "EpisodeOfCare/" + nothing).then().statusCode(403);
        get(token, "Consent/not-a-uuid").then().statusCode(403);
        get(token, "CareTeam?patient=" + nothing).then().statusCode(403);
        assertThat(lastAudit(clinicianSubject(hpr), gpPractice, "GET /fhir/EpisodeOfCare/" + nothing))
                .extracting(AuditRow::outcome, AuditRow::patient).containsExactly("denied", null);
    }

    // --- municipality admins

    @Test
    void adminOfTheResponsibleMunicipalityReadsTheCareRecordAnotherMunicipalitysDoesNot() throws SQLException {
        String own = Tokens.admin(municipality);
        String subject = Tokens.issuer().claims("admin").get("sub").toString();
        EpisodeOfCare ep = parse(get(own, "EpisodeOfCare/" + running), EpisodeOfCare.class);
        assertThat(ep.getIdElement().getIdPart()).isEqualTo(running.toString());
        assertThat(lastAudit(subject, municipality, "GET /fhir/EpisodeOfCare/" + running))
                .extracting(AuditRow::outcome, AuditRow::purpose).containsExactly("allowed", "admin");
        parse(get(own, "Consent?patient=" + patient), Bundle.class);
        parse(get(own, "CareTeam/" + running), CareTeam.class);

        String other = Tokens.admin(otherMunicipality);
        get(other, "EpisodeOfCare/" + running).then().statusCode(403);
        assertThat(lastAudit(subject, otherMunicipality, "GET /fhir/EpisodeOfCare/" + running))
                .extracting(AuditRow::outcome, AuditRow::reason).containsExactly("denied", "not-own-municipality");
        // The other municipality's own patient is theirs to read.
        parse(get(other, "EpisodeOfCare/" + otherEnrollment), EpisodeOfCare.class);
    }

    // --- patients and the operator

    @Test
    void patientReadsTheirOwnCareRecordNotAnotherPatients() throws SQLException {
        String token = Tokens.patient(fnr);
        String subject = "test-citizen-" + UUID.nameUUIDFromBytes(fnr.getBytes());
        Bundle mine = parse(get(token, "Consent?patient=" + patient), Bundle.class);
        assertThat(mine.getEntry()).hasSize(2);
        assertThat(lastAudit(subject, null, "GET /fhir/Consent")).extracting(AuditRow::outcome, AuditRow::purpose, AuditRow::patient)
                .containsExactly("allowed", "own-data", patient);
        parse(get(token, "EpisodeOfCare/" + running), EpisodeOfCare.class);

        get(token, "Consent/" + otherConsent).then().statusCode(403);
        get(token, "EpisodeOfCare?patient=" + otherPatient).then().statusCode(403);
        assertThat(lastAudit(subject, null, "GET /fhir/EpisodeOfCare")).extracting(AuditRow::outcome, AuditRow::patient)
                .containsExactly("denied", otherPatient);
    }

    @Test
    void operatorSeesNoPatientsCareRecord() {
        String token = Tokens.operator();
        get(token, "EpisodeOfCare/" + running).then().statusCode(403);
        get(token, "CareTeam?patient=" + patient).then().statusCode(403);
        get(token, "Consent/" + consent).then().statusCode(403);
    }

    /** Regression: a search Bundle's id was its paging token, longer than the 64 characters a FHIR id may have. */
    @Test
    void observationSearchBundleIsAValidResource() {
        String token = Tokens.clinician(gpPractice, hpr());
        Bundle b = parse(get(token, "Observation?patient=" + patient + "&_count=2"), Bundle.class);
        assertThat(b.getEntry()).hasSize(2);
        assertThat(b.getIdElement().getIdPart()).hasSizeLessThanOrEqualTo(64);
        // The page link still carries the whole search, and leads on.
        Bundle next = parse(given().urlEncodingEnabled(false).auth().oauth2(token).accept("application/fhir+json")
                .get(b.getLink(Bundle.LINK_NEXT).getUrl()), Bundle.class);
        assertThat(next.getEntry()).hasSize(1);
    }

    @Test
    void metadataListsTheNewResources() {
        String json = given().get("/fhir/metadata").then().statusCode(200).extract().asString();
        assertThat(json).contains("\"EpisodeOfCare\"", "\"CareTeam\"", "\"Consent\"", "\"AuditEvent\"");
    }
}
