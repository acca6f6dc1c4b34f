package no.knutepunkt.testing;

import static io.restassured.RestAssured.given;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Onboards what a test needs through the registry API, as a pilot municipality would:
 * organisations, vendors, devices, patients, enrollments and device assignments.
 */
public final class Pilot {

    public static final String CANONICAL = "nordic-telecare";
    public static final String ACME = "acme-medical";
    public static final String MEDGW = "medgw";

    private Pilot() {
    }

    public record Patient(UUID id, String identifier, String name) {
    }

    /** The three vendors of the device contract, registered once per database. */
    public static void vendors() {
        vendor(CANONICAL, "canonical");
        vendor(ACME, "acme-flat");
        vendor(MEDGW, "medgw");
    }

    public static void vendor(String id, String format) {
        Response r = post("/api/registry/vendors", Map.of("id", id, "name", id, "format", format));
        if (r.statusCode() != 201 && r.statusCode() != 409) {
            throw new AssertionError("vendor " + id + ": " + r.statusCode() + " " + r.asString());
        }
    }

    public static UUID organisation(String name, String kind) {
        return UUID.fromString(created(post("/api/registry/organisations",
                Map.of("orgNumber", TestIdentities.orgNumber(), "name", name, "kind", kind))).getString("id"));
    }

    public static Patient patient(String given, String family) {
        String fnr = TestIdentities.syntheticFnr();
        var body = created(post("/api/registry/patients", Map.of("identifier", fnr, "givenName", given, "familyName", family)));
        return new Patient(UUID.fromString(body.getString("id")), fnr, given + " " + family);
    }

    public static long device(String vendor, String serial, String... kinds) {
        return created(post("/api/registry/devices", Map.of("vendorId", vendor, "serial", serial, "kinds", List.of(kinds)))).getLong("id");
    }

    public static UUID enroll(Patient patient, UUID responsible, OffsetDateTime from) {
        return UUID.fromString(created(post("/api/registry/enrollments", Map.of("patientId", patient.id().toString(), "programme", "copd",
                "responsibleOrganisationId", responsible.toString(),
                "careTeam", List.of(Map.of("organisationId", responsible.toString(), "role", "follow-up-service")),
                "startedAt", from.toString()))).getString("id"));
    }

    /** Assigns a device (by vendor and serial) to an enrollment from {@code from}, open-ended when {@code to} is null. */
    public static UUID assign(UUID enrollment, String vendor, String serial, OffsetDateTime from, OffsetDateTime to) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("vendorId", vendor, "serial", serial, "validFrom", from.toString()));
        if (to != null) {
            body.put("validTo", to.toString());
        }
        return UUID.fromString(created(post("/api/registry/enrollments/" + enrollment + "/assignments", body)).getString("id"));
    }

    /** A patient enrolled since {@code from} with these devices assigned from then on. */
    public static Patient patientWithDevices(UUID responsible, OffsetDateTime from, String vendor, String... serials) {
        Patient p = patient("Test", "Pasient");
        UUID enrollment = enroll(p, responsible, from);
        for (String serial : serials) {
            device(vendor, serial);
            assign(enrollment, vendor, serial, from, null);
        }
        return p;
    }

    private static Response post(String path, Object body) {
        // Quarkus sets RestAssured's port per test method; a @BeforeAll runs before that.
        String base = org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("test.url", String.class);
        return given().baseUri(base).contentType(ContentType.JSON).body(body).post(path);
    }

    private static io.restassured.path.json.JsonPath created(Response r) {
        if (r.statusCode() != 201) {
            throw new AssertionError(r.statusCode() + " " + r.asString());
        }
        return r.jsonPath();
    }
}
