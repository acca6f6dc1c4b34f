package no.knutepunkt.registry;

import no.knutepunkt.testing.TestIdentities;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.sql.Connection;
import java.time.Duration;
import java.time.OffsetDateTime;
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
        String id = post("/organisations", Map.of("orgNumber", orgNumber, "name", "Prøvedalen kommune", "kind", "municipality",
                "herId", "81234"))
                .statusCode(201)
                .header("Location", containsString("/api/registry/organisations/"))
                .body("orgNumber", equalTo(orgNumber))
                .body("kind", equalTo("municipality"))
                .body("herId", equalTo("81234"))
                .body("reshId", nullValue())
                .extract().path("id");

        get("/organisations/" + id).statusCode(200).body("name", equalTo("Prøvedalen kommune"));
        get("/organisations").statusCode(200).body("orgNumber", hasItem(orgNumber));
    }

    @Test
    void refusesBadOrganisations() {
        String orgNumber = TestIdentities.orgNumber();
        String wrongCheckDigit = orgNumber.substring(0, 8) + (char) ('0' + (orgNumber.charAt(8) - '0' + 1) % 10);

        problem(post("/organisations", Map.of("orgNumber", wrongCheckDigit, "name", "X", "kind", "other")), 422, "orgNumber");
        problem(post("/organisations", Map.of("orgNumber", "12345678", "name", "X", "kind", "other")), 400, "orgNumber");
        problem(post("/organisations", Map.of("orgNumber", orgNumber, "name", "X", "kind", "pharmacy")), 400, "kind")
                .body("allowed", hasItems("municipality", "gp-practice", "hospital", "vendor", "other"));
        problem(post("/organisations", Map.of("orgNumber", orgNumber, "kind", "other")), 400, "name");

        organisation("other", orgNumber);
        problem(post("/organisations", Map.of("orgNumber", orgNumber, "name", "Again", "kind", "other")), 409, "orgNumber");
    }

    @Test
    void refusesBodiesThatAreNotJsonOrHaveTheWrongShape() {
        given().contentType(ContentType.JSON).body("{\"orgNumber\": ").post(API + "/organisations")
                .then().statusCode(400).body("error", notNullValue());
        given().contentType(ContentType.JSON).body("{\"name\": [1, 2]}").post(API + "/organisations")
                .then().statusCode(400).body("field", equalTo("name"));
        given().contentType(ContentType.JSON).body("").post(API + "/organisations")
                .then().statusCode(400);
    }

    @Test
    void answers404ForWhatDoesNotExist() {
        get("/organisations/" + UUID.randomUUID()).statusCode(404).body("error", notNullValue());
        get("/organisations/not-a-uuid").statusCode(404);
        get("/patients/" + UUID.randomUUID()).statusCode(404);
        get("/vendors/no-such-vendor").statusCode(404);
        get("/devices/999999999").statusCode(404);
        get("/enrollments/" + UUID.randomUUID()).statusCode(404);
        get("/enrollments/" + UUID.randomUUID() + "/assignments").statusCode(404);
    }

    // --- patients

    @Test
    void createsPatientsWithTheSystemDerivedFromTheNumber() {
        String fnr = TestIdentities.syntheticFnr();
        String dnr = TestIdentities.syntheticDnr();

        String id = post("/patients", Map.of("identifier", fnr, "givenName", "Kari", "familyName", "Nordmann"))
                .statusCode(201)
                .body("system", equalTo("fnr"))
                .body("identifier", equalTo(fnr))
                .extract().path("id");
        post("/patients", Map.of("identifier", dnr, "givenName", "Anna", "familyName", "Kowalska"))
                .statusCode(201)
                .body("system", equalTo("dnr"));

        get("/patients/" + id).statusCode(200).body("givenName", equalTo("Kari")).body("familyName", equalTo("Nordmann"));
        get("/patients").statusCode(200).body("identifier", hasItems(fnr, dnr));
    }

    @Test
    void refusesBadPatientNumbersWithoutEchoingThem() {
        String fnr = TestIdentities.syntheticFnr();
        String wrongK2 = fnr.substring(0, 10) + (char) ('0' + (fnr.charAt(10) - '0' + 1) % 10);
        String noSuchDay = "3082" + fnr.substring(4); // 30 February

        String body = problem(post("/patients", Map.of("identifier", wrongK2, "givenName", "A", "familyName", "B")), 422,
                "identifier").extract().asString();
        assertThat(body).doesNotContain(wrongK2).doesNotContain(wrongK2.substring(0, 6));
        body = problem(post("/patients", Map.of("identifier", noSuchDay, "givenName", "A", "familyName", "B")), 422, "identifier")
                .extract().asString();
        assertThat(body).doesNotContain(noSuchDay);
        problem(post("/patients", Map.of("identifier", fnr.substring(1), "givenName", "A", "familyName", "B")), 400, "identifier");
        problem(post("/patients", Map.of("identifier", fnr, "familyName", "B")), 400, "givenName");

        post("/patients", Map.of("identifier", fnr, "givenName", "A", "familyName", "B")).statusCode(201);
        body = problem(post("/patients", Map.of("identifier", fnr, "givenName", "A", "familyName", "B")), 409, "identifier")
                .extract().asString();
        assertThat(body).doesNotContain(fnr);
    }

    // --- vendors

    @Test
    void registersVendorsWithALoadedFormat() {
        String orgId = organisation("vendor", TestIdentities.orgNumber());
        String vendorId = "acme-" + UUID.randomUUID().toString().substring(0, 8);

        post("/vendors", Map.of("id", vendorId, "name", "Acme Medical AS", "format", "testformat", "organisationId", orgId))
                .statusCode(201)
                .body("id", equalTo(vendorId))
                .body("format", equalTo("testformat"))
                .body("organisationId", equalTo(orgId));

        get("/vendors/" + vendorId).statusCode(200).body("name", equalTo("Acme Medical AS"));
        get("/vendors").statusCode(200).body("id", hasItem(vendorId));
        problem(post("/vendors", Map.of("id", vendorId, "name", "Again", "format", "testformat")), 409, "id");
    }

    @Test
    void refusesAnUnknownFormatListingTheKnownOnes() {
        problem(post("/vendors", Map.of("id", "v-" + UUID.randomUUID(), "name", "V", "format", "no-such-format")), 422, "format")
                .body("error", containsString("testformat"))
                .body("allowed", hasItem("testformat"));
    }

    @Test
    void refusesBadVendors() {
        problem(post("/vendors", Map.of("id", "bad/id", "name", "V", "format", "testformat")), 400, "id");
        problem(post("/vendors", Map.of("id", "x".repeat(65), "name", "V", "format", "testformat")), 400, "id");
        problem(post("/vendors", Map.of("id", "v-" + UUID.randomUUID().toString().substring(0, 8), "name", "V",
                "format", "testformat", "organisationId", UUID.randomUUID().toString())), 422, "organisationId");
    }

    // --- devices

    @Test
    void registersDevicesAndListsThemByVendor() {
        String vendorA = vendor();
        String vendorB = vendor();
        Map<String, Object> meter = new HashMap<>(Map.of("vendorId", vendorA, "serial", "GLU-1", "model", "Glucomat 3",
                "kinds", List.of("glucose"), "glucoseHigh", 27.8));

        post("/devices", meter)
                .statusCode(201)
                .body("id", notNullValue())
                .body("fhirId", notNullValue())
                .body("kinds", equalTo(List.of("glucose")))
                .body("gateway", equalTo(false))
                .body("glucoseHigh", equalTo(27.8f))
                .body("glucoseLow", equalTo(1.1f));
        int gateway = post("/devices", Map.of("vendorId", vendorB, "serial", "GW-1", "gateway", true))
                .statusCode(201).body("gateway", equalTo(true)).extract().path("id");

        get("/devices/" + gateway).statusCode(200).body("serial", equalTo("GW-1"));
        given().queryParam("vendorId", vendorA).get(API + "/devices").then().statusCode(200)
                .body("serial", equalTo(List.of("GLU-1")));
        get("/devices").statusCode(200).body("vendorId", hasItems(vendorA, vendorB));
        problem(post("/devices", meter), 409, "serial");
    }

    @Test
    void refusesBadDevices() {
        String vendorId = vendor();
        problem(post("/devices", Map.of("vendorId", "no-such-vendor", "serial", "S1")), 422, "vendorId");
        problem(post("/devices", Map.of("vendorId", vendorId, "serial", "S1", "kinds", List.of("blood-sugar"))), 400, "kinds");
        problem(post("/devices", Map.of("vendorId", vendorId)), 400, "serial");
        problem(post("/devices", Map.of("vendorId", vendorId, "serial", "S1", "glucoseHigh", 5, "glucoseLow", 6)), 422,
                "glucoseLow");
        problem(post("/devices", Map.of("vendorId", vendorId, "serial", "S1", "glucoseHigh", 1.0)), 422, "glucoseHigh");
        problem(post("/devices", Map.of("vendorId", vendorId, "serial", "S1", "gateway", "perhaps")), 400, "gateway");
    }

    // --- enrollments

    @Test
    void enrollsAPatientWithACareTeam() {
        String patient = patient();
        String municipality = organisation("municipality", TestIdentities.orgNumber());
        String gp = organisation("gp-practice", TestIdentities.orgNumber());

        String id = post("/enrollments", Map.of("patientId", patient, "programme", "copd", "responsibleOrganisationId", municipality,
                "careTeam", List.of(Map.of("organisationId", municipality, "role", "follow-up-service"),
                        Map.of("organisationId", gp, "role", "gp")),
                "startedAt", START.toString()))
                .statusCode(201)
                .body("programme", equalTo("copd"))
                .body("careTeam.role", hasItems("follow-up-service", "gp"))
                .body("endedAt", nullValue())
                .extract().path("id");

        get("/enrollments/" + id).statusCode(200).body("patientId", equalTo(patient))
                .body("responsibleOrganisationId", equalTo(municipality)).body("careTeam.organisationId", hasItems(municipality, gp));
        given().queryParam("patientId", patient).get(API + "/enrollments").then().statusCode(200).body("id", equalTo(List.of(id)));
        given().queryParam("patientId", UUID.randomUUID().toString()).get(API + "/enrollments").then().statusCode(200)
                .body("id", equalTo(List.of()));
        given().queryParam("patientId", "nope").get(API + "/enrollments").then().statusCode(400);
    }

    @Test
    void refusesBadEnrollments() {
        String patient = patient();
        String org = organisation("municipality", TestIdentities.orgNumber());
        Map<String, Object> good = Map.of("patientId", patient, "programme", "diabetes", "responsibleOrganisationId", org,
                "startedAt", START.toString());

        problem(post("/enrollments", with(good, "patientId", UUID.randomUUID().toString())), 422, "patientId");
        problem(post("/enrollments", with(good, "responsibleOrganisationId", UUID.randomUUID().toString())), 422,
                "responsibleOrganisationId");
        problem(post("/enrollments", with(good, "careTeam", List.of(Map.of("organisationId", UUID.randomUUID().toString(),
                "role", "gp")))), 422, "careTeam[0].organisationId");
        problem(post("/enrollments", with(good, "careTeam", List.of(Map.of("organisationId", org, "role", "nurse")))), 400,
                "careTeam[0].role");
        problem(post("/enrollments", with(good, "careTeam", List.of(Map.of("organisationId", org, "role", "gp"),
                Map.of("organisationId", org, "role", "hospital")))), 422, "careTeam[1].organisationId");
        problem(post("/enrollments", with(good, "programme", "asthma")), 400, "programme");
        problem(post("/enrollments", with(good, "startedAt", "yesterday")), 400, "startedAt");
        problem(post("/enrollments", with(good, "startedAt", "2026-01-05T08:00:00")), 400, "startedAt");
        problem(post("/enrollments", with(good, "endedAt", START.minusDays(1).toString())), 422, "endedAt");
    }

    // --- device assignments

    @Test
    void assignsADeviceAndRoutesItsReadingsToThePatient() throws Exception {
        Fixture f = fixture();

        String assignment = post("/enrollments/" + f.enrollment + "/assignments",
                Map.of("deviceId", f.device, "validFrom", START.plusDays(1).toString()))
                .statusCode(201)
                .body("enrollmentId", equalTo(f.enrollment))
                .body("vendorId", equalTo(f.vendor))
                .body("serial", equalTo(f.serial))
                .body("validTo", nullValue())
                .extract().path("id");

        get("/enrollments/" + f.enrollment + "/assignments").statusCode(200).body("id", equalTo(List.of(assignment)));
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
        String other = enrollment(patient(), f.organisation);
        String first = assign(f.enrollment, f.device, START.plusDays(1), START.plusDays(10));

        problem(post("/enrollments/" + other + "/assignments", Map.of("vendorId", f.vendor, "serial", f.serial,
                "validFrom", START.plusDays(5).toString())), 409, "validFrom")
                .body("error", containsString(first))
                .body("error", containsString(f.vendor + "/" + f.serial));
        problem(post("/enrollments/" + f.enrollment + "/assignments", Map.of("deviceId", f.device,
                "validFrom", START.toString(), "validTo", START.plusDays(2).toString())), 409, "validFrom");

        // Periods are half-open: the next one may start where the last one ends.
        post("/enrollments/" + other + "/assignments", Map.of("vendorId", f.vendor, "serial", f.serial,
                "validFrom", START.plusDays(10).toString())).statusCode(201);
    }

    @Test
    void changesTheEndOfAnAssignment() {
        Fixture f = fixture();
        String first = assign(f.enrollment, f.device, START.plusDays(1), null);
        String path = "/enrollments/" + f.enrollment + "/assignments/" + first;

        patch(path, "{\"validTo\": \"" + START.plusDays(3) + "\"}").statusCode(200).body("validTo", notNullValue());
        String next = assign(enrollment(patient(), f.organisation), f.device, START.plusDays(5), null);

        problem(patch(path, "{\"validTo\": null}"), 409, "validFrom").body("error", containsString(next));
        problem(patch(path, "{\"validTo\": \"" + START + "\"}"), 422, "validTo");
        problem(patch(path, "{}"), 400, "validTo");
        problem(patch(path, "{\"validTo\": \"soon\"}"), 400, "validTo");
        patch("/enrollments/" + f.enrollment + "/assignments/" + UUID.randomUUID(), "{\"validTo\": null}").statusCode(404);
        patch(path, "{\"validTo\": \"" + START.plusDays(5) + "\"}").statusCode(200);
    }

    @Test
    void refusesAssignmentsOutsideTheEnrollmentOrOfUnknownDevices() {
        Fixture f = fixture();
        String path = "/enrollments/" + f.enrollment + "/assignments";

        problem(post(path, Map.of("deviceId", f.device, "validFrom", START.minusDays(1).toString())), 422, "validFrom");
        problem(post(path, Map.of("deviceId", 999_999_999, "validFrom", START.toString())), 422, "deviceId");
        problem(post(path, Map.of("vendorId", f.vendor, "serial", "no-such-serial", "validFrom", START.toString())), 422, "serial");
        problem(post(path, Map.of("validFrom", START.toString())), 400, "deviceId");
        problem(post(path, Map.of("deviceId", f.device, "serial", f.serial, "validFrom", START.toString())), 400, "deviceId");
        problem(post(path, Map.of("deviceId", f.device)), 400, "validFrom");
        problem(post(path, Map.of("deviceId", f.device, "validFrom", START.plusDays(2).toString(),
                "validTo", START.plusDays(1).toString())), 422, "validTo");
        post("/enrollments/" + UUID.randomUUID() + "/assignments", Map.of("deviceId", f.device, "validFrom", START.toString()))
                .statusCode(404);
    }

    @Test
    void endingAnEnrollmentEndsItsAssignments() {
        Fixture f = fixture();
        String assignment = assign(f.enrollment, f.device, START.plusDays(1), null);
        OffsetDateTime end = START.plusDays(20);

        post("/enrollments/" + f.enrollment + "/end", Map.of("endedAt", end.toString())).statusCode(200)
                .body("endedAt", notNullValue());

        get("/enrollments/" + f.enrollment + "/assignments").statusCode(200).body("[0].validTo", notNullValue());
        assertThat(OffsetDateTime.parse(get("/enrollments/" + f.enrollment + "/assignments").extract().path("[0].validTo")))
                .isEqualTo(end);
        assertThat(log.about(new DeviceKey(f.vendor, f.serial))).last()
                .satisfies(seen -> assertThat(seen.visibleAssignments()).contains(AssignmentsChangedLog.assignment(
                        UUID.fromString(assignment), end)));
        // The device is free for the next patient from the end on, and the ended enrollment takes nothing new.
        assign(enrollment(patient(), f.organisation), f.device, end, null);
        problem(post("/enrollments/" + f.enrollment + "/end", Map.of("endedAt", end.plusDays(1).toString())), 409, "endedAt");
        problem(post("/enrollments/" + f.enrollment + "/assignments", Map.of("deviceId", f.device,
                "validFrom", end.plusDays(1).toString())), 422, "validFrom");
    }

    // --- AssignmentsChanged

    @Test
    void announcesANewAssignmentAfterItIsCommitted() {
        Fixture f = fixture();
        DeviceKey key = new DeviceKey(f.vendor, f.serial);
        assertThat(log.about(key)).isEmpty();

        String assignment = assign(f.enrollment, f.device, START.plusDays(1), null);

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
        String assignment = assign(f.enrollment, f.device, START.plusDays(1), null);
        long before = log.about(key).stream().filter(s -> !s.async()).count();

        problem(post("/enrollments/" + f.enrollment + "/assignments", Map.of("deviceId", f.device,
                "validFrom", START.plusDays(2).toString())), 409, "validFrom");
        assertThat(log.about(key).stream().filter(s -> !s.async()).count()).isEqualTo(before);

        OffsetDateTime validTo = START.plusDays(4);
        patch("/enrollments/" + f.enrollment + "/assignments/" + assignment, "{\"validTo\": \"" + validTo + "\"}").statusCode(200);
        assertThat(log.about(key)).filteredOn(s -> !s.async()).hasSize((int) before + 1).last()
                .satisfies(s -> assertThat(s.visibleAssignments())
                        .containsExactly(AssignmentsChangedLog.assignment(UUID.fromString(assignment), validTo)));
    }

    // --- fixtures

    private record Fixture(String organisation, String patient, String enrollment, String vendor, String serial, int device) {
    }

    /** A patient enrolled from START, and an unassigned device of a fresh vendor. */
    private static Fixture fixture() {
        String org = organisation("municipality", TestIdentities.orgNumber());
        String patient = patient();
        String vendor = vendor();
        String serial = "BP-" + UUID.randomUUID().toString().substring(0, 8);
        int device = post("/devices", Map.of("vendorId", vendor, "serial", serial, "kinds", List.of("systolic", "diastolic")))
                .statusCode(201).extract().path("id");
        return new Fixture(org, patient, enrollment(patient, org), vendor, serial, device);
    }

    private static String organisation(String kind, String orgNumber) {
        return post("/organisations", Map.of("orgNumber", orgNumber, "name", "Test " + kind, "kind", kind))
                .statusCode(201).extract().path("id");
    }

    private static String patient() {
        return post("/patients", Map.of("identifier", TestIdentities.syntheticFnr(), "givenName", "Test", "familyName", "Pasient"))
                .statusCode(201).extract().path("id");
    }

    private static String vendor() {
        String id = "v-" + UUID.randomUUID().toString().substring(0, 8);
        post("/vendors", Map.of("id", id, "name", "Vendor " + id, "format", "testformat")).statusCode(201);
        return id;
    }

    private static String enrollment(String patient, String organisation) {
        return post("/enrollments", Map.of("patientId", patient, "programme", "hypertension",
                "responsibleOrganisationId", organisation, "startedAt", START.toString()))
                .statusCode(201).extract().path("id");
    }

    private static String assign(String enrollment, int device, OffsetDateTime from, OffsetDateTime to) {
        Map<String, Object> body = new HashMap<>(Map.of("deviceId", device, "validFrom", from.toString()));
        if (to != null) {
            body.put("validTo", to.toString());
        }
        return post("/enrollments/" + enrollment + "/assignments", body).statusCode(201).extract().path("id");
    }

    private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
        Map<String, Object> m = new HashMap<>(base);
        m.put(key, value);
        return m;
    }

    private static ValidatableResponse post(String path, Map<String, ?> body) {
        return given().contentType(ContentType.JSON).body(body).post(API + path).then();
    }

    private static ValidatableResponse patch(String path, String body) {
        return given().contentType(ContentType.JSON).body(body).patch(API + path).then();
    }

    private static ValidatableResponse get(String path) {
        return given().get(API + path).then();
    }

    private static ValidatableResponse problem(ValidatableResponse response, int status, String field) {
        return response.statusCode(status).contentType(ContentType.JSON).body("error", notNullValue()).body("field", equalTo(field))
                .body("error", not(containsString("Exception")));
    }
}
