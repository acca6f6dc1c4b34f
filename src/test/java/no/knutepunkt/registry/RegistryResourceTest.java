package no.knutepunkt.registry;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import no.knutepunkt.registry.DeviceRouting.DeviceKey;
import no.knutepunkt.registry.DeviceRouting.Query;
import no.knutepunkt.registry.DeviceRouting.Route;
import no.knutepunkt.registry.DeviceRouting.Status;
import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.TestIdentities;
import no.knutepunkt.testing.Tokens;

/**
 * The registry API, each step as the caller who may take it: the operator registers organisations,
 * vendors and devices; an admin of the municipality responsible for an enrollment registers its
 * patients, enrollments (with consent), pauses, consents and device assignments. Anyone else is
 * refused (403) and nothing changes; every allowed change is audited in its own transaction.
 */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
@TestProfile(RegistryTestProfile.class)
class RegistryResourceTest {

    private static final String API = "/api/registry";
    private static final OffsetDateTime START = OffsetDateTime.parse("2026-01-05T08:00:00+01:00");

    @Inject
    AssignmentsChangedLog log;

    @Inject
    DeviceRouting routing;

    @Inject
    DataSource db;

    // --- organisations

    @Test
    void createsListsAndFindsOrganisations() {
        String orgNumber = TestIdentities.orgNumber();
        String id = post(operator(), "/organisations", Map.of("orgNumber", orgNumber, "name", "Prøvedalen kommune", "kind", "municipality",
                "herId", "81234"))
                .statusCode(201)
                .header("Location", containsString("/api/registry/organisations/"))
                .body("orgNumber", equalTo(orgNumber))
                .body("kind", equalTo("municipality"))
                .body("herId", equalTo("81234"))
                .body("reshId", nullValue())
                .extract().path("id");

        get(operator(), "/organisations/" + id).statusCode(200).body("name", equalTo("Prøvedalen kommune"));
        get(operator(), "/organisations").statusCode(200).body("orgNumber", hasItem(orgNumber));
        // Staff may look organisations up; only the operator registers them.
        get(Tokens.admin(orgNumber), "/organisations/" + id).statusCode(200);
        post(Tokens.admin(orgNumber), "/organisations", Map.of("orgNumber", TestIdentities.orgNumber(), "name", "X", "kind", "other"))
                .statusCode(403);
    }

    @Test
    void refusesBadOrganisations() {
        String orgNumber = TestIdentities.orgNumber();
        String wrongCheckDigit = orgNumber.substring(0, 8) + (char) ('0' + (orgNumber.charAt(8) - '0' + 1) % 10);

        problem(post(operator(), "/organisations", Map.of("orgNumber", wrongCheckDigit, "name", "X", "kind", "other")), 422, "orgNumber");
        problem(post(operator(), "/organisations", Map.of("orgNumber", "12345678", "name", "X", "kind", "other")), 400, "orgNumber");
        problem(post(operator(), "/organisations", Map.of("orgNumber", orgNumber, "name", "X", "kind", "pharmacy")), 400, "kind")
                .body("allowed", hasItems("municipality", "gp-practice", "hospital", "vendor", "other"));
        problem(post(operator(), "/organisations", Map.of("orgNumber", orgNumber, "kind", "other")), 400, "name");

        organisation("other", orgNumber);
        problem(post(operator(), "/organisations", Map.of("orgNumber", orgNumber, "name", "Again", "kind", "other")), 409, "orgNumber");
    }

    @Test
    void refusesBodiesThatAreNotJsonOrHaveTheWrongShape() {
        given().auth().oauth2(operator()).contentType(ContentType.JSON).body("{\"orgNumber\": ").post(API + "/organisations")
                .then().statusCode(400).body("error", notNullValue());
        given().auth().oauth2(operator()).contentType(ContentType.JSON).body("{\"name\": [1, 2]}").post(API + "/organisations")
                .then().statusCode(400).body("field", equalTo("name"));
        given().auth().oauth2(operator()).contentType(ContentType.JSON).body("").post(API + "/organisations")
                .then().statusCode(400);
    }

    /**
     * What does not exist is 404 — except a patient's data: an unknown patient or enrollment is
     * refused exactly as one the caller may not see (403), so that asking tells nothing. Before the
     * access policy these were 404 too.
     */
    @Test
    void answers404ForWhatDoesNotExistAnd403ForPatientDataAlike() {
        get(operator(), "/organisations/" + UUID.randomUUID()).statusCode(404).body("error", notNullValue());
        get(operator(), "/organisations/not-a-uuid").statusCode(404);
        get(operator(), "/vendors/no-such-vendor").statusCode(404);
        get(operator(), "/devices/999999999").statusCode(404);

        Fixture f = fixture();
        get(f.admin, "/patients/" + UUID.randomUUID()).statusCode(403);
        get(f.admin, "/patients/not-a-uuid").statusCode(403);
        get(f.admin, "/enrollments/" + UUID.randomUUID()).statusCode(403);
        get(f.admin, "/enrollments/" + UUID.randomUUID() + "/assignments").statusCode(403);
        // ... and the same answer for a patient and an enrollment that exist but are another municipality's.
        Fixture other = fixture();
        get(f.admin, "/patients/" + other.patient).statusCode(403);
        get(f.admin, "/enrollments/" + other.enrollment).statusCode(403);
        get(f.admin, "/enrollments/" + other.enrollment + "/assignments").statusCode(403);
    }

    @Test
    void nobodyWithoutATokenGetsAnything() {
        Fixture f = fixture();
        given().get(API + "/organisations").then().statusCode(401);
        given().get(API + "/patients/" + f.patient).then().statusCode(401);
        given().get(API + "/enrollments/" + f.enrollment).then().statusCode(401);
        given().contentType(ContentType.JSON).body(Map.of("orgNumber", TestIdentities.orgNumber(), "name", "X", "kind", "other"))
                .post(API + "/organisations").then().statusCode(401);
    }

    // --- patients

    @Test
    void createsPatientsWithTheSystemDerivedFromTheNumber() {
        String municipality = organisation("municipality", TestIdentities.orgNumber());
        String admin = adminOf(municipality);
        String fnr = TestIdentities.syntheticFnr();
        String dnr = TestIdentities.syntheticDnr();

        String id = post(admin, "/patients", Map.of("identifier", fnr, "givenName", "Kari", "familyName", "Nordmann"))
                .statusCode(201)
                .header("Location", containsString("/api/registry/patients/"))
                .body("system", equalTo("fnr"))
                .body("identifier", equalTo(fnr))
                .extract().path("id");
        String dnrId = post(admin, "/patients", Map.of("identifier", dnr, "givenName", "Anna", "familyName", "Kowalska"))
                .statusCode(201)
                .body("system", equalTo("dnr"))
                .extract().path("id");
        assertAudited("Patient", "create", id, "patient", "id", UUID.fromString(id));

        // An admin sees the patients of the enrollments its municipality is responsible for.
        get(admin, "/patients/" + id).statusCode(403);
        enrollment(admin, id, municipality);
        enrollment(admin, dnrId, municipality);
        get(admin, "/patients/" + id).statusCode(200).body("givenName", equalTo("Kari")).body("familyName", equalTo("Nordmann"));
        get(admin, "/patients").statusCode(200).body("identifier", hasItems(fnr, dnr));
    }

    @Test
    void aPatientRegisteredAgainIsFoundUnderTheSameNamesAndRefusedUnderOthers() {
        String admin = adminOf(organisation("municipality", TestIdentities.orgNumber()));
        String fnr = TestIdentities.syntheticFnr();
        String id = post(admin, "/patients", Map.of("identifier", fnr, "givenName", "Per", "familyName", "Hansen"))
                .statusCode(201).extract().path("id");

        // The same person again (an upload repeated, someone moving between municipalities): 200, the same patient.
        post(admin, "/patients", Map.of("identifier", fnr, "givenName", " Per ", "familyName", "Hansen"))
                .statusCode(200).body("id", equalTo(id)).body("givenName", equalTo("Per"));
        assertAudited("Patient", "match", id, "patient", "id", UUID.fromString(id), false);
        // The number under other names: the registry never renames anyone silently.
        String body = problem(post(admin, "/patients", Map.of("identifier", fnr, "givenName", "Pål", "familyName", "Hansen")), 409,
                "identifier").extract().asString();
        assertThat(body).doesNotContain(fnr);
        assertThat(text("SELECT given_name FROM patient WHERE id = ?", UUID.fromString(id))).isEqualTo("Per");
    }

    @Test
    void refusesBadPatientNumbersWithoutEchoingThem() {
        String admin = adminOf(organisation("municipality", TestIdentities.orgNumber()));
        String fnr = TestIdentities.syntheticFnr();
        String wrongK2 = fnr.substring(0, 10) + (char) ('0' + (fnr.charAt(10) - '0' + 1) % 10);
        String noSuchDay = "3082" + fnr.substring(4); // 30 February

        String body = problem(post(admin, "/patients", Map.of("identifier", wrongK2, "givenName", "A", "familyName", "B")), 422,
                "identifier").extract().asString();
        assertThat(body).doesNotContain(wrongK2).doesNotContain(wrongK2.substring(0, 6));
        body = problem(post(admin, "/patients", Map.of("identifier", noSuchDay, "givenName", "A", "familyName", "B")), 422, "identifier")
                .extract().asString();
        assertThat(body).doesNotContain(noSuchDay);
        problem(post(admin, "/patients", Map.of("identifier", fnr.substring(1), "givenName", "A", "familyName", "B")), 400, "identifier");
        problem(post(admin, "/patients", Map.of("identifier", fnr, "familyName", "B")), 400, "givenName");

        post(admin, "/patients", Map.of("identifier", fnr, "givenName", "A", "familyName", "B")).statusCode(201);
        body = problem(post(admin, "/patients", Map.of("identifier", fnr, "givenName", "A", "familyName", "C")), 409, "identifier")
                .extract().asString();
        assertThat(body).doesNotContain(fnr);
    }

    /** The operator runs the hub and sees no patient data: every patient endpoint refuses it, and nothing changes. */
    @Test
    void theOperatorIsRefusedEveryPatientEndpoint() throws SQLException {
        Fixture f = fixture();
        String fnr = TestIdentities.syntheticFnr();
        Map<String, Object> newPatient = Map.of("identifier", fnr, "givenName", "Drift", "familyName", "Nekt");

        post(operator(), "/patients", newPatient).statusCode(403);
        get(operator(), "/patients").statusCode(403);
        get(operator(), "/patients/" + f.patient).statusCode(403);
        post(operator(), "/enrollments", enrollmentBody(f.patient, f.organisation)).statusCode(403);
        post(operator(), "/enrollments", withInlinePatient(enrollmentBody(null, f.organisation), newPatient)).statusCode(403);
        given().auth().oauth2(operator()).queryParam("patientId", f.patient).get(API + "/enrollments").then().statusCode(403);
        get(operator(), "/enrollments/" + f.enrollment).statusCode(403);
        get(operator(), "/enrollments/" + f.enrollment + "/assignments").statusCode(403);
        post(operator(), "/enrollments/" + f.enrollment + "/pause", Map.of("from", START.plusDays(1).toString(), "reason", "travel"))
                .statusCode(403);
        post(operator(), "/enrollments/" + f.enrollment + "/assignments", Map.of("deviceId", f.device,
                "validFrom", START.plusDays(1).toString())).statusCode(403);

        assertThat(count("SELECT count(*) FROM patient WHERE identifier = ?", fnr)).isZero();
        assertThat(count("SELECT count(*) FROM enrollment WHERE patient_id = ?", UUID.fromString(f.patient))).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM enrollment_pause WHERE enrollment_id = ?", UUID.fromString(f.enrollment))).isZero();
        assertThat(count("SELECT count(*) FROM device_assignment WHERE enrollment_id = ?", UUID.fromString(f.enrollment))).isZero();
    }

    // --- vendors

    @Test
    void registersVendorsWithALoadedFormat() {
        String orgId = organisation("vendor", TestIdentities.orgNumber());
        String vendorId = "acme-" + UUID.randomUUID().toString().substring(0, 8);

        post(operator(), "/vendors", Map.of("id", vendorId, "name", "Acme Medical AS", "format", "testformat", "organisationId", orgId,
                "oauthClientId", "client-" + vendorId))
                .statusCode(201)
                .body("id", equalTo(vendorId))
                .body("format", equalTo("testformat"))
                .body("organisationId", equalTo(orgId))
                .body("oauthClientId", equalTo("client-" + vendorId));

        get(operator(), "/vendors/" + vendorId).statusCode(200).body("name", equalTo("Acme Medical AS"));
        get(operator(), "/vendors").statusCode(200).body("id", hasItem(vendorId));
        problem(post(operator(), "/vendors", Map.of("id", vendorId, "name", "Again", "format", "testformat")), 409, "id");
    }

    /** The OAuth client of a vendor's HTTPS intake: the operator sets, changes and removes it; one client is one vendor's. */
    @Test
    void theOperatorSetsAVendorsOAuthClient() {
        String vendorId = vendor();
        String other = vendor();
        String path = "/vendors/" + vendorId;

        patch(operator(), path, "{\"oauthClientId\": \"client-" + vendorId + "\"}").statusCode(200)
                .body("oauthClientId", equalTo("client-" + vendorId));
        get(operator(), path).statusCode(200).body("oauthClientId", equalTo("client-" + vendorId));
        problem(patch(operator(), "/vendors/" + other, "{\"oauthClientId\": \"client-" + vendorId + "\"}"), 409, "oauthClientId");
        problem(patch(operator(), path, "{}"), 400, "oauthClientId");
        problem(patch(operator(), path, "{\"oauthClientId\": 42}"), 400, "oauthClientId");
        patch(Tokens.admin(organisationNumber(organisation("municipality", TestIdentities.orgNumber()))), path,
                "{\"oauthClientId\": \"mine\"}").statusCode(403);
        patch(operator(), path, "{\"oauthClientId\": null}").statusCode(200).body("oauthClientId", nullValue());
        assertThat(text("SELECT oauth_client_id FROM vendor WHERE id = ?", vendorId)).isNull();
    }

    @Test
    void refusesAnUnknownFormatListingTheKnownOnes() {
        problem(post(operator(), "/vendors", Map.of("id", "v-" + UUID.randomUUID(), "name", "V", "format", "no-such-format")), 422,
                "format")
                .body("error", containsString("testformat"))
                .body("allowed", hasItem("testformat"));
    }

    @Test
    void refusesBadVendors() {
        problem(post(operator(), "/vendors", Map.of("id", "bad/id", "name", "V", "format", "testformat")), 400, "id");
        problem(post(operator(), "/vendors", Map.of("id", "x".repeat(65), "name", "V", "format", "testformat")), 400, "id");
        problem(post(operator(), "/vendors", Map.of("id", "v-" + UUID.randomUUID().toString().substring(0, 8), "name", "V",
                "format", "testformat", "organisationId", UUID.randomUUID().toString())), 422, "organisationId");
    }

    // --- devices

    @Test
    void registersDevicesAndListsThemByVendor() {
        String vendorA = vendor();
        String vendorB = vendor();
        Map<String, Object> meter = new HashMap<>(Map.of("vendorId", vendorA, "serial", "GLU-1", "model", "Glucomat 3",
                "kinds", List.of("glucose"), "glucoseHigh", 27.8));

        post(operator(), "/devices", meter)
                .statusCode(201)
                .body("id", notNullValue())
                .body("fhirId", notNullValue())
                .body("kinds", equalTo(List.of("glucose")))
                .body("gateway", equalTo(false))
                .body("glucoseHigh", equalTo(27.8f))
                .body("glucoseLow", equalTo(1.1f));
        int gateway = post(operator(), "/devices", Map.of("vendorId", vendorB, "serial", "GW-1", "gateway", true))
                .statusCode(201).body("gateway", equalTo(true)).extract().path("id");

        get(operator(), "/devices/" + gateway).statusCode(200).body("serial", equalTo("GW-1"));
        given().auth().oauth2(operator()).queryParam("vendorId", vendorA).get(API + "/devices").then().statusCode(200)
                .body("serial", equalTo(List.of("GLU-1")));
        get(operator(), "/devices").statusCode(200).body("vendorId", hasItems(vendorA, vendorB));
        problem(post(operator(), "/devices", meter), 409, "serial");
    }

    @Test
    void refusesBadDevices() {
        String vendorId = vendor();
        problem(post(operator(), "/devices", Map.of("vendorId", "no-such-vendor", "serial", "S1")), 422, "vendorId");
        problem(post(operator(), "/devices", Map.of("vendorId", vendorId, "serial", "S1", "kinds", List.of("blood-sugar"))), 400, "kinds");
        problem(post(operator(), "/devices", Map.of("vendorId", vendorId)), 400, "serial");
        problem(post(operator(), "/devices", Map.of("vendorId", vendorId, "serial", "S1", "glucoseHigh", 5, "glucoseLow", 6)), 422,
                "glucoseLow");
        problem(post(operator(), "/devices", Map.of("vendorId", vendorId, "serial", "S1", "glucoseHigh", 1.0)), 422, "glucoseHigh");
        problem(post(operator(), "/devices", Map.of("vendorId", vendorId, "serial", "S1", "gateway", "perhaps")), 400, "gateway");
    }

    // --- enrollments

    @Test
    void enrollsAPatientWithACareTeamAndConsent() {
        String municipality = organisation("municipality", TestIdentities.orgNumber());
        String admin = adminOf(municipality);
        String patient = patient(admin);
        String gp = organisation("gp-practice", TestIdentities.orgNumber());
        Map<String, Object> body = new HashMap<>(Map.of("patientId", patient, "programme", "copd", "responsibleOrganisationId",
                municipality, "careTeam", List.of(Map.of("organisationId", municipality, "role", "follow-up-service"),
                        Map.of("organisationId", gp, "role", "gp")),
                "startedAt", START.toString(), "consent", consent(START)));

        String id = post(admin, "/enrollments", body)
                .statusCode(201)
                .header("Location", containsString("/api/registry/enrollments/"))
                .body("programme", equalTo("copd"))
                .body("careTeam.role", hasItems("follow-up-service", "gp"))
                .body("endedAt", nullValue())
                .body("status", equalTo("active"))
                .body("consents", hasSize(1))
                .body("consents[0].scope", equalTo("home-follow-up"))
                .body("consents[0].givenBy", equalTo("patient"))
                .body("consents[0].form", equalTo("written"))
                .body("consents[0].documentReference", equalTo("Prøvedalen arkiv 2026/17"))
                .body("consents[0].withdrawnAt", nullValue())
                .extract().path("id");
        assertAudited("EpisodeOfCare", "create", patient, "enrollment", "id", UUID.fromString(id));
        assertThat(count("SELECT count(*) FROM consent WHERE enrollment_id = ? AND patient_id = ?", UUID.fromString(id),
                UUID.fromString(patient))).isEqualTo(1);

        get(admin, "/enrollments/" + id).statusCode(200).body("patientId", equalTo(patient))
                .body("responsibleOrganisationId", equalTo(municipality)).body("careTeam.organisationId", hasItems(municipality, gp));
        given().auth().oauth2(admin).queryParam("patientId", patient).get(API + "/enrollments").then().statusCode(200)
                .body("id", equalTo(List.of(id)));
        // An unknown patient is refused as another municipality's is: asking tells nothing (and is audited).
        given().auth().oauth2(admin).queryParam("patientId", UUID.randomUUID().toString()).get(API + "/enrollments").then()
                .statusCode(403);
        given().auth().oauth2(admin).queryParam("patientId", "nope").get(API + "/enrollments").then().statusCode(400);
        // The care team reads it too (its GP); a clinician outside it does not.
        get(Tokens.clinician(organisationNumber(gp), "9100401"), "/enrollments/" + id).statusCode(200).body("id", equalTo(id));
        String outside = organisation("gp-practice", TestIdentities.orgNumber());
        get(Tokens.clinician(organisationNumber(outside), "9100402"), "/enrollments/" + id).statusCode(403);
    }

    @Test
    void refusesBadEnrollments() {
        String org = organisation("municipality", TestIdentities.orgNumber());
        String admin = adminOf(org);
        String patient = patient(admin);
        Map<String, Object> good = Map.of("patientId", patient, "programme", "diabetes", "responsibleOrganisationId", org,
                "startedAt", START.toString(), "consent", consent(START));

        problem(post(admin, "/enrollments", with(good, "patientId", UUID.randomUUID().toString())), 422, "patientId");
        problem(post(admin, "/enrollments", with(good, "careTeam", List.of(Map.of("organisationId", UUID.randomUUID().toString(),
                "role", "gp")))), 422, "careTeam[0].organisationId");
        problem(post(admin, "/enrollments", with(good, "careTeam", List.of(Map.of("organisationId", org, "role", "nurse")))), 400,
                "careTeam[0].role");
        problem(post(admin, "/enrollments", with(good, "careTeam", List.of(Map.of("organisationId", org, "role", "gp"),
                Map.of("organisationId", org, "role", "hospital")))), 422, "careTeam[1].organisationId");
        problem(post(admin, "/enrollments", with(good, "programme", "asthma")), 400, "programme");
        problem(post(admin, "/enrollments", with(good, "startedAt", "yesterday")), 400, "startedAt");
        problem(post(admin, "/enrollments", with(good, "startedAt", "2026-01-05T08:00:00")), 400, "startedAt");
        problem(post(admin, "/enrollments", with(good, "endedAt", START.minusDays(1).toString())), 422, "endedAt");
        problem(post(admin, "/enrollments", with(good, "responsibleOrganisationId", null)), 400, "responsibleOrganisationId");
        // An unknown responsible organisation is not the admin's own municipality: refused (it was a 422 before the access policy).
        post(admin, "/enrollments", with(good, "responsibleOrganisationId", UUID.randomUUID().toString())).statusCode(403);
        assertThat(count("SELECT count(*) FROM enrollment WHERE patient_id = ?", UUID.fromString(patient))).isZero();
    }

    /** An enrollment records the consent it rests on: without one, or with a bad one, nothing is enrolled. */
    @Test
    void anEnrollmentNeedsAWellFormedConsent() {
        String org = organisation("municipality", TestIdentities.orgNumber());
        String admin = adminOf(org);
        String patient = patient(admin);
        Map<String, Object> good = enrollmentBody(patient, org);

        problem(post(admin, "/enrollments", with(good, "consent", null)), 400, "consent");
        problem(post(admin, "/enrollments", withConsent(good, "scope", "everything")), 400, "consent.scope")
                .body("allowed", equalTo(List.of("home-follow-up", "record-sharing")));
        problem(post(admin, "/enrollments", withConsent(good, "scope", null)), 400, "consent.scope");
        problem(post(admin, "/enrollments", withConsent(good, "givenBy", "neighbour")), 400, "consent.givenBy")
                .body("allowed", equalTo(List.of("patient", "representative")));
        problem(post(admin, "/enrollments", withConsent(good, "form", "telepathic")), 400, "consent.form")
                .body("allowed", equalTo(List.of("digital", "verbal", "written")));
        problem(post(admin, "/enrollments", withConsent(good, "givenAt", null)), 400, "consent.givenAt");
        problem(post(admin, "/enrollments", withConsent(good, "givenAt", "last spring")), 400, "consent.givenAt");
        problem(post(admin, "/enrollments", withConsent(good, "documentReference", null)), 400, "consent.documentReference");
        problem(post(admin, "/enrollments", withConsent(good, "documentReference", "  ")), 400, "consent.documentReference");
        problem(post(admin, "/enrollments", withConsent(good, "documentReference", "x".repeat(501))), 400, "consent.documentReference");
        problem(post(admin, "/enrollments", withConsent(good, "givenBy", "representative")), 400, "consent.representativeName");
        // Well-formed, but not acceptable: 422, as elsewhere in the registry.
        problem(post(admin, "/enrollments", withConsent(good, "givenAt", OffsetDateTime.now().plusDays(1).toString())), 422,
                "consent.givenAt");
        problem(post(admin, "/enrollments", withConsent(good, "representativeName", "Ola Verge")), 422, "consent.representativeName");
        assertThat(count("SELECT count(*) FROM enrollment WHERE patient_id = ?", UUID.fromString(patient))).isZero();
        assertThat(count("SELECT count(*) FROM consent WHERE patient_id = ?", UUID.fromString(patient))).isZero();

        // Given by a representative, with the representative's name: enrolled.
        Map<String, Object> representative = withConsent(withConsent(good, "givenBy", "representative"), "representativeName",
                "Ola Verge");
        post(admin, "/enrollments", representative).statusCode(201).body("consents[0].representativeName", equalTo("Ola Verge"));
    }

    /** The patient in the enrollment itself: registered with it, found when number and names match, refused when only the number does. */
    @Test
    void enrollsWithThePatientInline() {
        String org = organisation("municipality", TestIdentities.orgNumber());
        String admin = adminOf(org);
        String fnr = TestIdentities.syntheticFnr();
        Map<String, Object> kari = Map.of("identifier", fnr, "givenName", "Kari", "familyName", "Innlagt");

        String first = post(admin, "/enrollments", withInlinePatient(enrollmentBody(null, org), kari)).statusCode(201)
                .extract().path("id");
        String patient = get(admin, "/enrollments/" + first).statusCode(200).extract().path("patientId");
        assertThat(text("SELECT identifier FROM patient WHERE id = ?", UUID.fromString(patient))).isEqualTo(fnr);
        assertAudited("EpisodeOfCare", "create", patient, "enrollment", "id", UUID.fromString(first));

        // The same person again, in another programme: the registered patient, not a second one.
        String second = post(admin, "/enrollments", with(withInlinePatient(enrollmentBody(null, org), kari), "programme", "diabetes"))
                .statusCode(201).body("patientId", equalTo(patient)).extract().path("id");
        assertThat(second).isNotEqualTo(first);
        assertThat(count("SELECT count(*) FROM patient WHERE identifier = ?", fnr)).isEqualTo(1);

        // The number under another name: 409, and nothing is enrolled or renamed.
        String body = problem(post(admin, "/enrollments", withInlinePatient(enrollmentBody(null, org),
                Map.of("identifier", fnr, "givenName", "Karin", "familyName", "Innlagt"))), 409, "identifier").extract().asString();
        assertThat(body).doesNotContain(fnr);
        assertThat(count("SELECT count(*) FROM enrollment WHERE patient_id = ?", UUID.fromString(patient))).isEqualTo(2);
        assertThat(text("SELECT given_name FROM patient WHERE id = ?", UUID.fromString(patient))).isEqualTo("Kari");

        // Either the patient's id or the patient, not both, not neither.
        problem(post(admin, "/enrollments", withInlinePatient(enrollmentBody(patient, org), kari)), 400, "patientId");
        problem(post(admin, "/enrollments", enrollmentBody(null, org)), 400, "patientId");
    }

    // --- pauses

    @Test
    void pausesAndResumesFollowUp() throws Exception {
        Fixture f = fixture();
        String path = "/enrollments/" + f.enrollment;
        assign(f, START.plusDays(1), null);
        OffsetDateTime from = START.plusDays(2);
        OffsetDateTime to = START.plusDays(5);

        String pause = post(f.admin, path + "/pause", Map.of("from", from.toString(), "reason", "hospital-admission",
                "note", "Innlagt lungeavdelingen"))
                .statusCode(201)
                .header("Location", containsString(path + "/pauses/"))
                .body("reason", equalTo("hospital-admission"))
                .body("to", nullValue())
                .extract().path("id");
        assertAudited("EpisodeOfCare", "pause", f.patient, "enrollment_pause", "id", UUID.fromString(pause));
        get(f.admin, path).statusCode(200).body("status", equalTo("paused")).body("pauses.id", equalTo(List.of(pause)));
        // While it is open, a second pause is refused, whenever it would begin.
        problem(post(f.admin, path + "/pause", Map.of("from", START.plusDays(20).toString(), "reason", "travel")), 409, "from");

        post(f.admin, path + "/resume", Map.of("at", to.toString())).statusCode(200).body("id", equalTo(pause))
                .body("to", notNullValue());
        assertAudited("EpisodeOfCare", "resume", f.patient, "enrollment_pause", "id", UUID.fromString(pause));
        get(f.admin, path).statusCode(200).body("status", equalTo("active"));
        assertThat(OffsetDateTime.parse(get(f.admin, path).extract().path("pauses[0].to"))).isAtSameInstantAs(to);
        try (Connection c = db.getConnection()) {
            List<Route> routes = routing.route(c, List.of(new Query(f.vendor, f.serial, from.plusDays(1)),
                    new Query(f.vendor, f.serial, to.plusHours(1))));
            assertThat(routes).extracting(Route::status).containsExactly(Status.ROUTED, Status.ROUTED);
            assertThat(routes).extracting(Route::paused).containsExactly(true, false);
        }

        // A pause that would overlap the one before is refused; one after it is not.
        problem(post(f.admin, path + "/pause", Map.of("from", START.plusDays(4).toString(), "reason", "travel")), 409, "from");
        problem(post(f.admin, path + "/resume", Map.of("at", START.plusDays(30).toString())), 409, "at");
        problem(post(f.admin, path + "/pause", Map.of("from", START.plusDays(10).toString(), "reason", "holiday")), 400, "reason");
        problem(post(f.admin, path + "/pause", Map.of("from", START.minusDays(1).toString(), "reason", "travel")), 422, "from");
        assertThat(count("SELECT count(*) FROM enrollment_pause WHERE enrollment_id = ?", UUID.fromString(f.enrollment))).isEqualTo(1);
        post(f.admin, path + "/pause", Map.of("from", to.toString(), "reason", "travel")).statusCode(201);
    }

    // --- consents

    @Test
    void recordsAFurtherConsentAndWithdrawsOne() {
        Fixture f = fixture();
        String path = "/enrollments/" + f.enrollment;
        String first = get(f.admin, path).statusCode(200).extract().path("consents[0].id");

        Map<String, Object> sharing = new HashMap<>(consent(START.plusDays(3)));
        sharing.put("scope", "record-sharing");
        sharing.put("form", "digital");
        String second = post(f.admin, path + "/consents", sharing).statusCode(201)
                .header("Location", containsString(path + "/consents/"))
                .body("scope", equalTo("record-sharing")).extract().path("id");
        assertAudited("EpisodeOfCare", "consent", f.patient, "consent", "id", UUID.fromString(second));
        problem(post(f.admin, path + "/consents", withKey(sharing, "form", "carrier-pigeon")), 400, "consent.form");

        OffsetDateTime at = START.plusDays(7);
        post(f.admin, path + "/consents/" + second + "/withdraw", Map.of("at", at.toString())).statusCode(200)
                .body("id", equalTo(second)).body("withdrawnAt", notNullValue());
        assertAudited("EpisodeOfCare", "withdraw-consent", f.patient, "consent", "id", UUID.fromString(second));
        // Withdrawn, never deleted; the first consent still stands.
        get(f.admin, path).statusCode(200).body("consents.id", hasItems(first, second))
                .body("consents.find { it.id == '" + first + "' }.withdrawnAt", nullValue());
        problem(post(f.admin, path + "/consents/" + second + "/withdraw", Map.of("at", at.plusDays(1).toString())), 409, "withdrawnAt");
        problem(post(f.admin, path + "/consents/" + first + "/withdraw", Map.of("at", START.minusDays(1).toString())), 422,
                "withdrawnAt");
        post(f.admin, path + "/consents/" + UUID.randomUUID() + "/withdraw", Map.of("at", at.toString())).statusCode(404);
    }

    // --- device assignments

    @Test
    void assignsADeviceAndRoutesItsReadingsToThePatient() throws Exception {
        Fixture f = fixture();

        String assignment = post(f.admin, "/enrollments/" + f.enrollment + "/assignments",
                Map.of("deviceId", f.device, "validFrom", START.plusDays(1).toString()))
                .statusCode(201)
                .body("enrollmentId", equalTo(f.enrollment))
                .body("vendorId", equalTo(f.vendor))
                .body("serial", equalTo(f.serial))
                .body("validTo", nullValue())
                .extract().path("id");
        assertAudited("EpisodeOfCare", "assign", f.patient, "device_assignment", "id", UUID.fromString(assignment));

        get(f.admin, "/enrollments/" + f.enrollment + "/assignments").statusCode(200).body("id", equalTo(List.of(assignment)));
        try (Connection c = db.getConnection()) {
            List<Route> routes = routing.route(c, List.of(new Query(f.vendor, f.serial, START.plusDays(2)),
                    new Query(f.vendor, f.serial, START)));
            assertThat(routes.get(0).status()).isEqualTo(Status.ROUTED);
            assertThat(routes.get(0).assignment().subject().patientId()).isEqualTo(UUID.fromString(f.patient));
            assertThat(routes.get(1).status()).isEqualTo(Status.UNASSIGNED);
        }
    }

    @Test
    void refusesAnOverlappingAssignmentOfTheSameDevice() {
        Fixture f = fixture();
        String other = enrollment(f.admin, patient(f.admin), f.organisation);
        String first = assign(f, START.plusDays(1), START.plusDays(10));

        problem(post(f.admin, "/enrollments/" + other + "/assignments", Map.of("vendorId", f.vendor, "serial", f.serial,
                "validFrom", START.plusDays(5).toString())), 409, "validFrom")
                .body("error", containsString(first))
                .body("error", containsString(f.vendor + "/" + f.serial));
        problem(post(f.admin, "/enrollments/" + f.enrollment + "/assignments", Map.of("deviceId", f.device,
                "validFrom", START.toString(), "validTo", START.plusDays(2).toString())), 409, "validFrom");

        // Periods are half-open: the next one may start where the last one ends.
        post(f.admin, "/enrollments/" + other + "/assignments", Map.of("vendorId", f.vendor, "serial", f.serial,
                "validFrom", START.plusDays(10).toString())).statusCode(201);
    }

    @Test
    void changesTheEndOfAnAssignment() {
        Fixture f = fixture();
        String first = assign(f, START.plusDays(1), null);
        String path = "/enrollments/" + f.enrollment + "/assignments/" + first;

        patch(f.admin, path, "{\"validTo\": \"" + START.plusDays(3) + "\"}").statusCode(200).body("validTo", notNullValue());
        assertAudited("EpisodeOfCare", "update-assignment", f.patient, "device_assignment", "id", UUID.fromString(first));
        String next = assign(f.admin, enrollment(f.admin, patient(f.admin), f.organisation), f.device, START.plusDays(5), null);

        problem(patch(f.admin, path, "{\"validTo\": null}"), 409, "validFrom").body("error", containsString(next));
        problem(patch(f.admin, path, "{\"validTo\": \"" + START + "\"}"), 422, "validTo");
        problem(patch(f.admin, path, "{}"), 400, "validTo");
        problem(patch(f.admin, path, "{\"validTo\": \"soon\"}"), 400, "validTo");
        patch(f.admin, "/enrollments/" + f.enrollment + "/assignments/" + UUID.randomUUID(), "{\"validTo\": null}").statusCode(404);
        patch(f.admin, path, "{\"validTo\": \"" + START.plusDays(5) + "\"}").statusCode(200);
    }

    @Test
    void refusesAssignmentsOutsideTheEnrollmentOrOfUnknownDevices() {
        Fixture f = fixture();
        String path = "/enrollments/" + f.enrollment + "/assignments";

        problem(post(f.admin, path, Map.of("deviceId", f.device, "validFrom", START.minusDays(1).toString())), 422, "validFrom");
        problem(post(f.admin, path, Map.of("deviceId", 999_999_999, "validFrom", START.toString())), 422, "deviceId");
        problem(post(f.admin, path, Map.of("vendorId", f.vendor, "serial", "no-such-serial", "validFrom", START.toString())), 422,
                "serial");
        problem(post(f.admin, path, Map.of("validFrom", START.toString())), 400, "deviceId");
        problem(post(f.admin, path, Map.of("deviceId", f.device, "serial", f.serial, "validFrom", START.toString())), 400, "deviceId");
        problem(post(f.admin, path, Map.of("deviceId", f.device)), 400, "validFrom");
        problem(post(f.admin, path, Map.of("deviceId", f.device, "validFrom", START.plusDays(2).toString(),
                "validTo", START.plusDays(1).toString())), 422, "validTo");
        // An unknown enrollment is refused as another municipality's is (it was a 404 before the access policy).
        post(f.admin, "/enrollments/" + UUID.randomUUID() + "/assignments", Map.of("deviceId", f.device, "validFrom", START.toString()))
                .statusCode(403);
    }

    /** A broken device swapped for another in one step: the old assignment ends at {@code at}, the new one starts then. */
    @Test
    void swapsADeviceSoTheNewOnesReadingsLandWithThePatient() throws Exception {
        Fixture f = fixture();
        String old = assign(f, START.plusDays(1), null);
        String serial = "BP-NEW-" + UUID.randomUUID().toString().substring(0, 8);
        int replacement = post(operator(), "/devices", Map.of("vendorId", f.vendor, "serial", serial, "kinds",
                List.of("systolic", "diastolic"))).statusCode(201).extract().path("id");
        OffsetDateTime at = START.plusDays(10);

        String made = post(f.admin, "/enrollments/" + f.enrollment + "/assignments/" + old + "/swap",
                Map.of("vendorId", f.vendor, "serial", serial, "at", at.toString()))
                .statusCode(201)
                .header("Location", containsString("/enrollments/" + f.enrollment + "/assignments/"))
                .body("deviceId", equalTo(replacement))
                .body("validTo", nullValue())
                .extract().path("id");
        assertAudited("EpisodeOfCare", "swap-device", f.patient, "device_assignment", "id", UUID.fromString(made));
        // The old assignment was ended in the same transaction, but under an earlier savepoint (each
        // assignment statement has one, to answer an overlap with a 409): its row version carries that
        // subtransaction's id, so only the record of it is checked here.
        assertAudited("EpisodeOfCare", "swap-device", f.patient, "device_assignment", "id", UUID.fromString(old), false);

        List<Map<String, Object>> both = get(f.admin, "/enrollments/" + f.enrollment + "/assignments").statusCode(200)
                .extract().path("$");
        assertThat(both).hasSize(2);
        Map<String, Object> ended = both.stream().filter(a -> old.equals(a.get("id"))).findFirst().orElseThrow();
        Map<String, Object> started = both.stream().filter(a -> made.equals(a.get("id"))).findFirst().orElseThrow();
        assertThat(OffsetDateTime.parse((String) ended.get("validTo"))).isAtSameInstantAs(at);
        assertThat(OffsetDateTime.parse((String) started.get("validFrom"))).isAtSameInstantAs(at);

        try (Connection c = db.getConnection()) {
            List<Route> routes = routing.route(c, List.of(new Query(f.vendor, serial, at.plusHours(1)),
                    new Query(f.vendor, f.serial, at.plusHours(1)), new Query(f.vendor, f.serial, at.minusHours(1)),
                    new Query(f.vendor, serial, at.minusHours(1))));
            assertThat(routes.get(0).status()).isEqualTo(Status.ROUTED);
            assertThat(routes.get(0).assignment().subject().patientId()).isEqualTo(UUID.fromString(f.patient));
            assertThat(routes.get(1).status()).isEqualTo(Status.UNASSIGNED);
            assertThat(routes.get(2).status()).isEqualTo(Status.ROUTED);
            assertThat(routes.get(2).assignment().subject().patientId()).isEqualTo(UUID.fromString(f.patient));
            assertThat(routes.get(3).status()).isEqualTo(Status.UNASSIGNED);
        }
        // Both devices' parked readings may be routable now: both are announced.
        assertThat(log.about(new DeviceKey(f.vendor, serial))).isNotEmpty();
        assertThat(log.about(new DeviceKey(f.vendor, f.serial))).filteredOn(s -> !s.async()).hasSize(2);

        problem(post(f.admin, "/enrollments/" + f.enrollment + "/assignments/" + made + "/swap",
                Map.of("deviceId", replacement, "at", at.plusDays(1).toString())), 422, "deviceId");
        problem(post(f.admin, "/enrollments/" + f.enrollment + "/assignments/" + made + "/swap",
                Map.of("deviceId", f.device, "at", START.toString())), 422, "at");
    }

    @Test
    void unassignsADevice() throws Exception {
        Fixture f = fixture();
        String assignment = assign(f, START.plusDays(1), null);
        OffsetDateTime at = START.plusDays(8);

        post(f.admin, "/enrollments/" + f.enrollment + "/assignments/" + assignment + "/end", Map.of("at", at.toString()))
                .statusCode(200).body("id", equalTo(assignment)).body("validTo", notNullValue());
        assertAudited("EpisodeOfCare", "unassign", f.patient, "device_assignment", "id", UUID.fromString(assignment));
        try (Connection c = db.getConnection()) {
            List<Route> routes = routing.route(c, List.of(new Query(f.vendor, f.serial, at.minusHours(1)),
                    new Query(f.vendor, f.serial, at.plusHours(1))));
            assertThat(routes).extracting(Route::status).containsExactly(Status.ROUTED, Status.UNASSIGNED);
        }
        assertThat(log.about(new DeviceKey(f.vendor, f.serial))).filteredOn(s -> !s.async()).last()
                .satisfies(s -> assertThat(s.visibleAssignments()).contains(AssignmentsChangedLog.assignment(UUID.fromString(assignment),
                        at)));
        // The device is free for someone else from then on.
        assign(f.admin, enrollment(f.admin, patient(f.admin), f.organisation), f.device, at, null);
    }

    @Test
    void endingAnEnrollmentEndsItsAssignments() {
        Fixture f = fixture();
        String assignment = assign(f, START.plusDays(1), null);
        OffsetDateTime end = START.plusDays(20);

        post(f.admin, "/enrollments/" + f.enrollment + "/end", Map.of("endedAt", end.toString())).statusCode(200)
                .body("endedAt", notNullValue()).body("status", equalTo("ended"));
        assertAudited("EpisodeOfCare", "end", f.patient, "enrollment", "id", UUID.fromString(f.enrollment));

        get(f.admin, "/enrollments/" + f.enrollment + "/assignments").statusCode(200).body("[0].validTo", notNullValue());
        assertThat(OffsetDateTime.parse(get(f.admin, "/enrollments/" + f.enrollment + "/assignments").extract().path("[0].validTo")))
                .isAtSameInstantAs(end);
        assertThat(log.about(new DeviceKey(f.vendor, f.serial))).last()
                .satisfies(seen -> assertThat(seen.visibleAssignments()).contains(AssignmentsChangedLog.assignment(
                        UUID.fromString(assignment), end)));
        // The device is free for the next patient from the end on, and the ended enrollment takes nothing new.
        assign(f.admin, enrollment(f.admin, patient(f.admin), f.organisation), f.device, end, null);
        problem(post(f.admin, "/enrollments/" + f.enrollment + "/end", Map.of("endedAt", end.plusDays(1).toString())), 409, "endedAt");
        problem(post(f.admin, "/enrollments/" + f.enrollment + "/assignments", Map.of("deviceId", f.device,
                "validFrom", end.plusDays(1).toString())), 422, "validFrom");
    }

    // --- another municipality

    /**
     * An admin of another municipality may change nothing of this one's enrollments: every
     * onboarding operation is refused (403), and the rows are as they were.
     */
    @Test
    void anAdminOfAnotherMunicipalityIsRefusedEveryChangeAndNothingChanges() throws SQLException {
        Fixture f = fixture();
        String assignment = assign(f, START.plusDays(1), null);
        String consent = get(f.admin, "/enrollments/" + f.enrollment).statusCode(200).extract().path("consents[0].id");
        post(f.admin, "/enrollments/" + f.enrollment + "/pause", Map.of("from", START.plusDays(2).toString(), "reason", "travel"))
                .statusCode(201);
        String spare = "BP-SPARE-" + UUID.randomUUID().toString().substring(0, 8);
        post(operator(), "/devices", Map.of("vendorId", f.vendor, "serial", spare)).statusCode(201);
        String before = state(f.enrollment);
        long audited = count("SELECT count(*) FROM audit_event WHERE patient_id = ? AND outcome = 'allowed'", UUID.fromString(f.patient));

        String stranger = adminOf(organisation("municipality", TestIdentities.orgNumber()));
        String path = "/enrollments/" + f.enrollment;
        String fnr = TestIdentities.syntheticFnr();
        List<ValidatableResponse> answers = new ArrayList<>(List.of(
                post(stranger, "/enrollments", enrollmentBody(f.patient, f.organisation)),
                post(stranger, "/enrollments", withInlinePatient(enrollmentBody(null, f.organisation),
                        Map.of("identifier", fnr, "givenName", "Fremmed", "familyName", "Kommune"))),
                post(stranger, path + "/pause", Map.of("from", START.plusDays(30).toString(), "reason", "travel")),
                post(stranger, path + "/resume", Map.of("at", START.plusDays(3).toString())),
                post(stranger, path + "/consents", consent(START.plusDays(1))),
                post(stranger, path + "/consents/" + consent + "/withdraw", Map.of("at", START.plusDays(3).toString())),
                post(stranger, path + "/assignments", Map.of("vendorId", f.vendor, "serial", spare, "validFrom", START.plusDays(1).toString())),
                patch(stranger, path + "/assignments/" + assignment, "{\"validTo\": \"" + START.plusDays(3) + "\"}"),
                post(stranger, path + "/assignments/" + assignment + "/swap", Map.of("vendorId", f.vendor, "serial", spare,
                        "at", START.plusDays(3).toString())),
                post(stranger, path + "/assignments/" + assignment + "/end", Map.of("at", START.plusDays(3).toString())),
                post(stranger, path + "/end", Map.of("endedAt", START.plusDays(3).toString())),
                get(stranger, path),
                get(stranger, path + "/assignments"),
                get(stranger, "/patients/" + f.patient)));
        assertThat(answers).allSatisfy(a -> a.statusCode(403));

        assertThat(state(f.enrollment)).isEqualTo(before);
        assertThat(count("SELECT count(*) FROM patient WHERE identifier = ?", fnr)).isZero();
        assertThat(count("SELECT count(*) FROM enrollment WHERE patient_id = ?", UUID.fromString(f.patient))).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM audit_event WHERE patient_id = ? AND outcome = 'allowed'", UUID.fromString(f.patient)))
                .isEqualTo(audited);
        // Each refusal that names the patient is in the audit log as such: all but the inline enrollment's,
        // whose patient was never looked up.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(count("SELECT count(*) FROM audit_event "
                + "WHERE outcome = 'denied' AND reason = 'not-own-municipality' AND patient_id = ?", UUID.fromString(f.patient)))
                .isEqualTo(answers.size() - 1));
    }

    // --- AssignmentsChanged

    @Test
    void announcesANewAssignmentAfterItIsCommitted() {
        Fixture f = fixture();
        DeviceKey key = new DeviceKey(f.vendor, f.serial);
        assertThat(log.about(key)).isEmpty();

        String assignment = assign(f, START.plusDays(1), null);

        // The synchronous observer has run before the answer came back, and saw the committed row.
        List<AssignmentsChangedLog.Seen> seen = log.about(key);
        assertThat(seen).filteredOn(s -> !s.async()).singleElement().satisfies(s -> {
            assertThat(s.event().devices()).containsExactly(key);
            assertThat(s.visibleAssignments()).contains(AssignmentsChangedLog.assignment(UUID.fromString(assignment), null));
        });
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(log.about(key)).filteredOn(s -> s.async())
                .singleElement().satisfies(s -> assertThat(s.visibleAssignments())
                        .contains(AssignmentsChangedLog.assignment(UUID.fromString(assignment), null))));
    }

    @Test
    void announcesAChangedValidityButNotARefusedAssignment() {
        Fixture f = fixture();
        DeviceKey key = new DeviceKey(f.vendor, f.serial);
        String assignment = assign(f, START.plusDays(1), null);
        long before = log.about(key).stream().filter(s -> !s.async()).count();

        problem(post(f.admin, "/enrollments/" + f.enrollment + "/assignments", Map.of("deviceId", f.device,
                "validFrom", START.plusDays(2).toString())), 409, "validFrom");
        assertThat(log.about(key).stream().filter(s -> !s.async()).count()).isEqualTo(before);

        OffsetDateTime validTo = START.plusDays(4);
        patch(f.admin, "/enrollments/" + f.enrollment + "/assignments/" + assignment, "{\"validTo\": \"" + validTo + "\"}")
                .statusCode(200);
        assertThat(log.about(key)).filteredOn(s -> !s.async()).hasSize((int) before + 1).last()
                .satisfies(s -> assertThat(s.visibleAssignments())
                        .containsExactly(AssignmentsChangedLog.assignment(UUID.fromString(assignment), validTo)));
    }

    // --- fixtures

    /** A municipality (and its admin's token), a patient enrolled there from START with consent, and an unassigned device of a fresh vendor. */
    private record Fixture(String organisation, String admin, String patient, String enrollment, String vendor, String serial,
            int device) {
    }

    private Fixture fixture() {
        String org = organisation("municipality", TestIdentities.orgNumber());
        String admin = adminOf(org);
        String patient = patient(admin);
        String vendor = vendor();
        String serial = "BP-" + UUID.randomUUID().toString().substring(0, 8);
        int device = post(operator(), "/devices", Map.of("vendorId", vendor, "serial", serial, "kinds", List.of("systolic", "diastolic")))
                .statusCode(201).extract().path("id");
        return new Fixture(org, admin, patient, enrollment(admin, patient, org), vendor, serial, device);
    }

    private static String operator() {
        return Tokens.operator();
    }

    private static String organisation(String kind, String orgNumber) {
        return post(operator(), "/organisations", Map.of("orgNumber", orgNumber, "name", "Test " + kind, "kind", kind))
                .statusCode(201).extract().path("id");
    }

    private static String organisationNumber(String organisation) {
        return get(operator(), "/organisations/" + organisation).statusCode(200).extract().path("orgNumber");
    }

    /** An admin of this (registered) municipality. */
    private static String adminOf(String municipality) {
        return Tokens.admin(organisationNumber(municipality));
    }

    private static String patient(String admin) {
        return post(admin, "/patients", Map.of("identifier", TestIdentities.syntheticFnr(), "givenName", "Test", "familyName", "Pasient"))
                .statusCode(201).extract().path("id");
    }

    private static String vendor() {
        String id = "v-" + UUID.randomUUID().toString().substring(0, 8);
        post(operator(), "/vendors", Map.of("id", id, "name", "Vendor " + id, "format", "testformat")).statusCode(201);
        return id;
    }

    /** Written consent to home follow-up given by the patient, kept in the municipality's archive. */
    private static Map<String, Object> consent(OffsetDateTime givenAt) {
        return Map.of("scope", "home-follow-up", "givenBy", "patient", "form", "written", "givenAt", givenAt.toString(),
                "documentReference", "Prøvedalen arkiv 2026/17");
    }

    /** A hypertension enrollment from START, responsible and care team the municipality, with consent; patientId null leaves it out. */
    private static Map<String, Object> enrollmentBody(String patient, String organisation) {
        Map<String, Object> body = new HashMap<>(Map.of("programme", "hypertension", "responsibleOrganisationId", organisation,
                "careTeam", List.of(Map.of("organisationId", organisation, "role", "follow-up-service")),
                "startedAt", START.toString(), "consent", consent(START)));
        if (patient != null) {
            body.put("patientId", patient);
        }
        return body;
    }

    private static String enrollment(String admin, String patient, String organisation) {
        return post(admin, "/enrollments", enrollmentBody(patient, organisation)).statusCode(201).extract().path("id");
    }

    private static String assign(Fixture f, OffsetDateTime from, OffsetDateTime to) {
        return assign(f.admin, f.enrollment, f.device, from, to);
    }

    private static String assign(String admin, String enrollment, int device, OffsetDateTime from, OffsetDateTime to) {
        Map<String, Object> body = new HashMap<>(Map.of("deviceId", device, "validFrom", from.toString()));
        if (to != null) {
            body.put("validTo", to.toString());
        }
        return post(admin, "/enrollments/" + enrollment + "/assignments", body).statusCode(201).extract().path("id");
    }

    /** The base with one key set (null: the key is sent as JSON null). */
    private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
        Map<String, Object> m = new HashMap<>(base);
        m.put(key, value);
        return m;
    }

    /** The same, without the key when value is null (a field left out). */
    private static Map<String, Object> withKey(Map<String, Object> base, String key, Object value) {
        Map<String, Object> m = new HashMap<>(base);
        if (value == null) {
            m.remove(key);
        } else {
            m.put(key, value);
        }
        return m;
    }

    /** The enrollment body with one field of its consent changed (null: left out). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> withConsent(Map<String, Object> body, String key, Object value) {
        return with(body, "consent", withKey((Map<String, Object>) body.get("consent"), key, value));
    }

    private static Map<String, Object> withInlinePatient(Map<String, Object> body, Map<String, Object> patient) {
        return with(body, "patient", patient);
    }

    // --- what the database says

    /**
     * The allowed change is in the audit log — outcome allowed, purpose admin, the patient named —
     * and it was written by the change's own transaction: the changed row's version and the audit
     * row carry the same transaction id (xmin).
     */
    private void assertAudited(String resourceType, String action, String patient, String table, String key, UUID id) {
        assertAudited(resourceType, action, patient, table, key, id, true);
    }

    /** With {@code sameTransaction} false: audited, but the row was not written then (a patient found, not registered). */
    private void assertAudited(String resourceType, String action, String patient, String table, String key, UUID id,
            boolean sameTransaction) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT a.xmin::text, a.purpose, a.role, r.xmin::text FROM audit_event a, %s r
                 WHERE r.%s = ? AND a.action = ? AND a.resource_type = ? AND a.outcome = 'allowed' AND a.patient_id = ?
                   AND ? = ANY (a.resource_ids)
                 ORDER BY a.seq DESC LIMIT 1""".formatted(table, key))) {
            ps.setObject(1, id);
            ps.setString(2, action);
            ps.setString(3, resourceType);
            ps.setObject(4, UUID.fromString(patient));
            ps.setString(5, id.toString());
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("an allowed %s of %s %s is audited for the patient", action, table, id).isTrue();
                assertThat(rs.getString(2)).isEqualTo("admin");
                assertThat(rs.getString(3)).isEqualTo("municipality-admin");
                if (sameTransaction) {
                    assertThat(rs.getString(1)).as("the audit row is written by the change's transaction").isEqualTo(rs.getString(4));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Everything onboarding records about an enrollment, as text: its period, assignments, pauses and consents. */
    private String state(String enrollment) throws SQLException {
        UUID e = UUID.fromString(enrollment);
        return String.join("\n",
                text("SELECT concat_ws('|', patient_id, responsible_organisation_id, started_at, ended_at) FROM enrollment WHERE id = ?", e),
                text("SELECT string_agg(concat_ws('|', id, device_id, valid_from, valid_to), ',' ORDER BY id) FROM device_assignment "
                        + "WHERE enrollment_id = ?", e),
                text("SELECT string_agg(concat_ws('|', id, paused_from, paused_to), ',' ORDER BY id) FROM enrollment_pause "
                        + "WHERE enrollment_id = ?", e),
                text("SELECT string_agg(concat_ws('|', id, scope, withdrawn_at), ',' ORDER BY id) FROM consent WHERE enrollment_id = ?", e),
                text("SELECT string_agg(concat_ws('|', organisation_id, role), ',' ORDER BY organisation_id) FROM enrollment_care_team "
                        + "WHERE enrollment_id = ?", e));
    }

    private long count(String sql, Object... args) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private String text(String sql, Object... args) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    // --- HTTP

    private static ValidatableResponse post(String token, String path, Map<String, ?> body) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(body).post(API + path).then();
    }

    private static ValidatableResponse patch(String token, String path, String body) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(body).patch(API + path).then();
    }

    private static ValidatableResponse get(String token, String path) {
        return given().auth().oauth2(token).get(API + path).then();
    }

    private static ValidatableResponse problem(ValidatableResponse response, int status, String field) {
        return response.statusCode(status).contentType(ContentType.JSON).body("error", notNullValue()).body("field", equalTo(field))
                .body("error", not(containsString("Exception")));
    }
}
