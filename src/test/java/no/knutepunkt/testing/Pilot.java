package no.knutepunkt.testing;

import static io.restassured.RestAssured.given;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Onboards what a test needs through the registry API, as a pilot would — each step as the caller
 * who may take it: the operator registers organisations, vendors and devices; a municipality admin
 * of the responsible municipality registers patients, enrollments (with consent) and device
 * assignments. Tokens come from {@link Tokens}.
 */
public final class Pilot {

    public static final String CANONICAL = "nordic-telecare";
    public static final String ACME = "acme-medical";
    public static final String MEDGW = "medgw";

    /** Organisation numbers by id, and the responsible organisation's number by enrollment: whose admin may change what. */
    private static final Map<UUID, String> ORG_NUMBERS = new ConcurrentHashMap<>();
    private static final Map<UUID, String> RESPONSIBLE = new ConcurrentHashMap<>();
    private static volatile String home;

    private Pilot() {
    }

    public record Patient(UUID id, String identifier, String name) {
    }

    /** The OAuth client a vendor registered here posts over HTTPS with ({@link Tokens#vendor}). */
    public static String clientOf(String vendorId) {
        return "test-client-" + vendorId;
    }

    /** The three vendors of the device contract, registered once per database. */
    public static void vendors() {
        vendor(CANONICAL, "canonical");
        vendor(ACME, "acme-flat");
        vendor(MEDGW, "medgw");
    }

    /**
     * Registers the vendor with its OAuth client, or, registered already (by another test, perhaps
     * straight in the database), gives it that client if it has none, as the operator would.
     */
    public static void vendor(String id, String format) {
        Response r = post(Tokens.operator(), "/api/registry/vendors", Map.of("id", id, "name", id, "format", format,
                "oauthClientId", clientOf(id)));
        if (r.statusCode() == 409) {
            Response v = request(Tokens.operator()).get("/api/registry/vendors/" + id);
            if (v.statusCode() != 200) {
                throw new AssertionError("vendor " + id + ": " + v.statusCode() + " " + v.asString());
            }
            if (!clientOf(id).equals(v.jsonPath().getString("oauthClientId"))) {
                Response p = request(Tokens.operator()).contentType(ContentType.JSON).body(Map.of("oauthClientId", clientOf(id)))
                        .patch("/api/registry/vendors/" + id);
                if (p.statusCode() != 200) {
                    throw new AssertionError("oauthClientId of vendor " + id + ": " + p.statusCode() + " " + p.asString());
                }
            }
        } else if (r.statusCode() != 201) {
            throw new AssertionError("vendor " + id + ": " + r.statusCode() + " " + r.asString());
        }
    }

    public static UUID organisation(String name, String kind) {
        String number = TestIdentities.orgNumber();
        UUID id = UUID.fromString(created(post(Tokens.operator(), "/api/registry/organisations",
                Map.of("orgNumber", number, "name", name, "kind", kind))).getString("id"));
        ORG_NUMBERS.put(id, number);
        return id;
    }

    /** The organisation number of an organisation this helper registered. */
    public static String orgNumber(UUID organisation) {
        String n = ORG_NUMBERS.get(organisation);
        if (n == null) {
            throw new IllegalArgumentException("organisation " + organisation + " was not registered through Pilot");
        }
        return n;
    }

    /** An admin of a municipality this helper registered. */
    public static String adminOf(UUID municipality) {
        return Tokens.admin(orgNumber(municipality));
    }

    /** A clinician of an organisation this helper registered. */
    public static String clinicianOf(UUID organisation, String hprNumber) {
        return Tokens.clinician(orgNumber(organisation), hprNumber);
    }

    /** Registered by an admin of a municipality of the helper's own: patients are registered before they are enrolled anywhere. */
    public static Patient patient(String given, String family) {
        String fnr = TestIdentities.syntheticFnr();
        var body = created(post(Tokens.admin(home()), "/api/registry/patients",
                Map.of("identifier", fnr, "givenName", given, "familyName", family)));
        return new Patient(UUID.fromString(body.getString("id")), fnr, given + " " + family);
    }

    public static long device(String vendor, String serial, String... kinds) {
        return created(post(Tokens.operator(), "/api/registry/devices", Map.of("vendorId", vendor, "serial", serial,
                "kinds", List.of(kinds)))).getLong("id");
    }

    /** Enrolled by the responsible municipality's admin, the municipality itself the care team's follow-up service. */
    public static UUID enroll(Patient patient, UUID responsible, OffsetDateTime from) {
        UUID id = UUID.fromString(created(post(adminOf(responsible), "/api/registry/enrollments", Map.of(
                "patientId", patient.id().toString(), "programme", "copd", "responsibleOrganisationId", responsible.toString(),
                "careTeam", List.of(Map.of("organisationId", responsible.toString(), "role", "follow-up-service")),
                "startedAt", from.toString(), "consent", consent(from)))).getString("id"));
        RESPONSIBLE.put(id, orgNumber(responsible));
        return id;
    }

    /** A written consent to home follow-up, given when the enrollment starts (or now, if that is later). */
    public static Map<String, Object> consent(OffsetDateTime from) {
        OffsetDateTime given = from.isAfter(OffsetDateTime.now()) ? OffsetDateTime.now() : from;
        return Map.of("scope", "home-follow-up", "givenBy", "patient", "form", "written", "givenAt", given.toString(),
                "documentReference", "Eksempelvik arkiv 2026/" + UUID.randomUUID().toString().substring(0, 6));
    }

    /** Assigns a device (by vendor and serial) to an enrollment from {@code from}, open-ended when {@code to} is null. */
    public static UUID assign(UUID enrollment, String vendor, String serial, OffsetDateTime from, OffsetDateTime to) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("vendorId", vendor, "serial", serial, "validFrom", from.toString()));
        if (to != null) {
            body.put("validTo", to.toString());
        }
        return UUID.fromString(created(post(Tokens.admin(responsibleOf(enrollment)), "/api/registry/enrollments/" + enrollment
                + "/assignments", body)).getString("id"));
    }

    /** The admin token that may change this enrollment (one this helper made). */
    public static String adminOfEnrollment(UUID enrollment) {
        return Tokens.admin(responsibleOf(enrollment));
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

    private static String responsibleOf(UUID enrollment) {
        String n = RESPONSIBLE.get(enrollment);
        if (n == null) {
            throw new IllegalArgumentException("enrollment " + enrollment + " was not made through Pilot");
        }
        return n;
    }

    private static synchronized String home() {
        if (home == null) {
            home = orgNumber(organisation("Pilotvik kommune", "municipality"));
        }
        return home;
    }

    private static Response post(String token, String path, Object body) {
        return request(token).contentType(ContentType.JSON).body(body).post(path);
    }

    private static io.restassured.specification.RequestSpecification request(String token) {
        // Quarkus sets RestAssured's port per test method; a @BeforeAll runs before that.
        String base = org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("test.url", String.class);
        return given().baseUri(base).auth().oauth2(token);
    }

    private static io.restassured.path.json.JsonPath created(Response r) {
        if (r.statusCode() != 201) {
            throw new AssertionError(r.statusCode() + " " + r.asString());
        }
        return r.jsonPath();
    }
}
