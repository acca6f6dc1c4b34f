package no.knutepunkt.access;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.Registry;
import no.knutepunkt.testing.TestIdentities;
import no.knutepunkt.testing.Tokens;

/**
 * Blocks through the API: the patient's own ({@code /api/me/blocks}) and an admin's on the patient's
 * behalf ({@code /api/registry/patients/{id}/blocks}); a block takes effect at the blocked
 * clinician's next request, inside the care team; every change is audited with the patient.
 */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BlockApiTest {

    final String municipality = TestIdentities.orgNumber();
    final String otherMunicipality = TestIdentities.orgNumber();
    final String fnr = TestIdentities.syntheticFnr();
    final String gpHpr = hpr();
    final String nurseHpr = hpr();
    UUID patient;

    static String hpr() {
        return String.valueOf(ThreadLocalRandom.current().nextInt(1_000_000, 9_999_999));
    }

    @BeforeAll
    void register() throws SQLException {
        try (Registry r = new Registry()) {
            UUID m = r.organisation(municipality, "Sperrevik kommune", "municipality");
            r.organisation(otherMunicipality, "Annenvik kommune", "municipality");
            patient = r.patient(fnr, "Siri", "Sperre");
            UUID enrollment = r.enrollment(patient, m, OffsetDateTime.now(ZoneOffset.UTC).minusDays(2));
            r.careTeam(enrollment, m, "follow-up-service");
        }
    }

    Response patientRead(String token) {
        return given().auth().oauth2(token).accept("application/fhir+json").get("/fhir/Patient/" + patient);
    }

    static Response post(String token, String path, Object body) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(body).post(path);
    }

    long audited(String action) throws SQLException {
        try (Registry r = new Registry()) {
            return r.count("SELECT count(*) FROM audit_event WHERE patient_id = ? AND action = ? AND outcome = 'allowed'", patient, action);
        }
    }

    @Test
    void thePatientBlocksAClinicianWhoIsRefusedFromTheNextRequestOnAndLiftsTheBlock() throws SQLException {
        String me = Tokens.patient(fnr);
        String gp = Tokens.clinician(municipality, gpHpr);
        patientRead(gp).then().statusCode(200);

        String id = post(me, "/api/me/blocks", Map.of("hprNumber", gpHpr, "note", "fastlegen min")).then().statusCode(201)
                .extract().path("id");
        assertThat(audited("block")).isEqualTo(1);
        // Blocking the same clinician again gives the block in force.
        assertThat(post(me, "/api/me/blocks", Map.of("hprNumber", gpHpr)).then().statusCode(201).extract().<String>path("id"))
                .isEqualTo(id);
        assertThat(given().auth().oauth2(me).get("/api/me/blocks").then().statusCode(200).extract().jsonPath()
                .getList("hprNumber", String.class)).containsExactly(gpHpr);
        patientRead(gp).then().statusCode(403);
        patientRead(Tokens.clinician(municipality, nurseHpr)).then().statusCode(200);

        given().auth().oauth2(me).delete("/api/me/blocks/" + id).then().statusCode(204);
        given().auth().oauth2(me).delete("/api/me/blocks/" + id).then().statusCode(404);
        assertThat(audited("unblock")).isEqualTo(1);
        patientRead(gp).then().statusCode(200);
    }

    @Test
    void theResponsibleMunicipalitysAdminBlocksOnThePatientsBehalfAndNoOneElseMay() throws SQLException {
        String admin = Tokens.admin(municipality);
        String path = "/api/registry/patients/" + patient + "/blocks";
        String id = post(admin, path, Map.of("hprNumber", nurseHpr, "note", "etter telefon fra pasienten")).then().statusCode(201)
                .extract().path("id");
        patientRead(Tokens.clinician(municipality, nurseHpr)).then().statusCode(403);
        // The patient sees the block the admin made for them.
        assertThat(given().auth().oauth2(Tokens.patient(fnr)).get("/api/me/blocks").then().statusCode(200).extract().jsonPath()
                .getList("id", String.class)).contains(id);

        post(Tokens.admin(otherMunicipality), path, Map.of("hprNumber", "1234567")).then().statusCode(403);
        given().auth().oauth2(Tokens.admin(otherMunicipality)).get(path).then().statusCode(403);
        post(Tokens.clinician(municipality, hpr()), path, Map.of("hprNumber", "1234567")).then().statusCode(403);
        post(Tokens.operator(), path, Map.of("hprNumber", "1234567")).then().statusCode(403);
        post(admin, path, Map.of("hprNumber", "not-an-hpr")).then().statusCode(400);
        given().auth().oauth2(admin).get("/api/registry/patients/" + UUID.randomUUID() + "/blocks").then().statusCode(403);

        given().auth().oauth2(admin).delete(path + "/" + id).then().statusCode(204);
        patientRead(Tokens.clinician(municipality, nurseHpr)).then().statusCode(200);
    }

    @Test
    void aCitizenWhoIsNoPatientAndOtherRolesHaveNoBlocks() {
        given().auth().oauth2(Tokens.patient(TestIdentities.syntheticFnr())).get("/api/me/blocks").then().statusCode(403);
        given().auth().oauth2(Tokens.clinician(municipality, hpr())).get("/api/me/blocks").then().statusCode(403);
        given().get("/api/me/blocks").then().statusCode(401);
    }
}
