package no.knutepunkt.me;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import no.knutepunkt.registry.DeviceRouting;
import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.Registry;
import no.knutepunkt.testing.TestIdentities;
import no.knutepunkt.testing.Tokens;

/**
 * {@code GET /api/me} and the patient's access log ({@code GET /api/me/access-log}): who read
 * what, why and with what outcome, in words; only the patient's own entries; paged; the look
 * itself audited; nobody but the patient may ask.
 */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessLogApiTest {

    final OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    String municipality = TestIdentities.orgNumber();
    String gpPractice = TestIdentities.orgNumber();
    String fnr = TestIdentities.syntheticFnr();
    String otherFnr = TestIdentities.syntheticFnr();
    String nurseHpr = hpr();
    String blockedHpr = hpr();
    UUID patient;
    UUID otherPatient;
    UUID enrollment;
    boolean accessed;

    static String hpr() {
        return String.valueOf(ThreadLocalRandom.current().nextInt(1_000_000, 9_999_999));
    }

    @BeforeAll
    void register() throws SQLException {
        try (Registry r = new Registry()) {
            UUID m = r.organisation(municipality, "Innsynvik kommune", "municipality");
            UUID g = r.organisation(gpPractice, "Innsynvik legesenter", "gp-practice");
            patient = r.patient(fnr, "Ingrid", "Innsyn");
            otherPatient = r.patient(otherFnr, "Ivar", "Annen");
            enrollment = r.enrollment(patient, m, now.minusDays(3));
            r.careTeam(enrollment, m, "follow-up-service");
            r.careTeam(enrollment, g, "gp");
            UUID other = r.enrollment(otherPatient, m, now.minusDays(3));
            r.careTeam(other, g, "gp");
            r.block(patient, blockedHpr);
            r.vendor("access-log-test", "canonical");
            String serial = "AL-" + UUID.randomUUID();
            long device = r.device("access-log-test", serial);
            DeviceRouting.Subject subject = new DeviceRouting.Subject(patient, "fnr", fnr, "Ingrid Innsyn", municipality, "Innsynvik kommune");
            for (int i = 0; i < 3; i++) {
                r.pulse("access-log-test", device, serial, enrollment, subject, 60 + i, now.minusHours(i + 1));
            }
        }
    }

    /** Once, before the first test (HTTP is not served yet while @BeforeAll runs): what the log will hold. */
    @BeforeEach
    void access() {
        if (accessed) {
            return;
        }
        accessed = true;
        String nurse = Tokens.clinician(gpPractice, nurseHpr);
        fhir(nurse, "Observation?patient=" + patient).then().statusCode(200);
        fhir(nurse, "Patient/" + otherPatient).then().statusCode(200);
        fhir(Tokens.admin(municipality), "EpisodeOfCare/" + enrollment).then().statusCode(200);
        fhir(Tokens.clinician(gpPractice, blockedHpr), "Observation?patient=" + patient).then().statusCode(403);
    }

    static io.restassured.response.Response fhir(String token, String path) {
        return given().auth().oauth2(token).accept("application/fhir+json").get("/fhir/" + path);
    }

    static JsonPath log(String token, String query) {
        return given().auth().oauth2(token).get("/api/me/access-log" + query).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void meSaysWhoTheCallerIsWithoutTheirNationalNumber() {
        String body = given().auth().oauth2(Tokens.patient(fnr)).get("/api/me").then().statusCode(200).extract().asString();
        JsonPath me = JsonPath.from(body);
        assertThat(me.getList("roles", String.class)).containsExactly("patient");
        assertThat(me.getString("patientId")).isEqualTo(patient.toString());
        assertThat(body).doesNotContain(fnr).doesNotContain("pid");

        String hpr = hpr();
        JsonPath clinician = given().auth().oauth2(Tokens.clinician(gpPractice, hpr)).get("/api/me").then().statusCode(200).extract().jsonPath();
        assertThat(clinician.getList("roles", String.class)).containsExactly("clinician");
        assertThat(clinician.getString("hprNumber")).isEqualTo(hpr);
        assertThat(clinician.getString("name")).isEqualTo("Test Kliniker " + hpr);
        assertThat(clinician.getString("organisation.number")).isEqualTo(gpPractice);
        assertThat(clinician.getString("organisation.name")).isEqualTo("Innsynvik legesenter");
        assertThat(clinician.getString("patientId")).isNull();

        // A citizen the registry does not know is signed in, but is no patient here.
        JsonPath stranger = given().auth().oauth2(Tokens.patient(TestIdentities.syntheticFnr())).get("/api/me").then().statusCode(200)
                .extract().jsonPath();
        assertThat(stranger.getString("patientId")).isNull();
        given().get("/api/me").then().statusCode(401);
    }

    @Test
    void accessLogSaysWhoReadWhatWhyAndWhoWasRefusedNewestFirst() throws SQLException {
        String token = Tokens.patient(fnr);
        JsonPath page = log(token, "");
        List<Map<String, Object>> entries = page.getList("entries");
        assertThat(entries).isNotEmpty();
        List<Instant> times = new ArrayList<>();
        entries.forEach(e -> times.add(Instant.parse((String) e.get("when"))));
        assertThat(times).isSortedAccordingTo((a, b) -> b.compareTo(a));

        Map<String, Object> read = entry(entries, "Test Kliniker " + nurseHpr, "allowed");
        assertThat(at(read, "who.role")).isEqualTo("helsepersonell");
        assertThat(at(read, "who.hprNumber")).isEqualTo(nurseHpr);
        assertThat(at(read, "who.organisation")).isEqualTo("Innsynvik legesenter");
        assertThat(read.get("purpose")).isEqualTo("treatment");
        assertThat(read.get("purposeText")).isEqualTo("helsehjelp (behandling og oppfølging)");
        assertThat(read.get("actionText")).isEqualTo("søkte i");
        assertThat(read.get("what")).isEqualTo(List.of(Map.of("resourceType", "Observation", "text", "målinger", "count", 3)));

        Map<String, Object> admin = entries.stream().filter(e -> "admin".equals(e.get("purpose"))).findFirst().orElseThrow();
        assertThat(at(admin, "who.role")).isEqualTo("saksbehandler i kommunen");
        assertThat(at(admin, "who.organisation")).isEqualTo("Innsynvik kommune");
        assertThat(admin.get("what")).isEqualTo(List.of(Map.of("resourceType", "EpisodeOfCare", "text", "oppfølgingsforløp", "count", 1)));

        Map<String, Object> refused = entry(entries, "Test Kliniker " + blockedHpr, "denied");
        assertThat(refused.get("outcomeText")).isEqualTo("ble nektet tilgang");
        assertThat(refused.get("reason")).isEqualTo("blocked-by-patient");
        assertThat(refused.get("what")).isEqualTo(List.of());
        assertThat(refused.get("purpose")).isNull();

        // Only this patient's entries: as many as the log holds about them, none about the other patient.
        List<String> shown = entries.stream().map(e -> (String) e.get("id")).toList();
        try (Registry r = new Registry()) {
            for (String id : shown) {
                assertThat(r.text("SELECT patient_id::text FROM audit_event WHERE id = ?::uuid", id)).isEqualTo(patient.toString());
            }
            // The look itself is in the log, with the entries it showed.
            String subject = "test-citizen-" + UUID.nameUUIDFromBytes(fnr.getBytes());
            assertThat(r.text("""
                    SELECT action || ' ' || outcome || ' ' || purpose || ' ' || resource_type || ' ' || array_to_string(resource_ids, ',')
                      FROM audit_event WHERE subject = ? AND entry_point = 'GET /api/me/access-log' ORDER BY seq DESC LIMIT 1""", subject))
                    .isEqualTo("read allowed own-data AuditEvent " + String.join(",", shown));
        }
        // ... and shows up the next time, first.
        Map<String, Object> newest = log(token, "?limit=1").getMap("entries[0]");
        assertThat(newest.get("purpose")).isEqualTo("own-data");
        assertThat(at(newest, "who.role")).isEqualTo("innbygger");
        assertThat(newest.get("what")).isEqualTo(List.of(Map.of("resourceType", "AuditEvent", "text", "tilgangslogg", "count", shown.size())));
    }

    @Test
    void accessLogPagesBackwardsWithoutOverlap() {
        String token = Tokens.patient(fnr);
        JsonPath first = log(token, "?limit=2");
        assertThat(first.getList("entries")).hasSize(2);
        String next = first.getString("next");
        assertThat(next).startsWith("/api/me/access-log?before=");
        JsonPath second = given().auth().oauth2(token).urlEncodingEnabled(false).get(next).then().statusCode(200).extract().jsonPath();
        List<String> a = first.getList("entries.id", String.class);
        List<String> b = second.getList("entries.id", String.class);
        assertThat(b).isNotEmpty().doesNotContainAnyElementsOf(a);
        assertThat(Instant.parse(second.getString("entries[0].when"))).isBeforeOrEqualTo(Instant.parse(first.getString("entries[1].when")));
    }

    @Test
    void onlyARegisteredPatientHasAnAccessLog() throws SQLException {
        String hpr = hpr();
        given().auth().oauth2(Tokens.clinician(gpPractice, hpr)).get("/api/me/access-log").then().statusCode(403);
        // Refused by the role check before our code runs, and audited there (asynchronously).
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (Registry r = new Registry()) {
                return r.count("""
                        SELECT count(*) FROM audit_event WHERE subject = ? AND entry_point = 'GET /api/me/access-log'
                           AND outcome = 'denied' AND reason = 'role-not-admitted'""", "test-clinician-" + hpr) == 1;
            }
        });
        String stranger = TestIdentities.syntheticFnr();
        given().auth().oauth2(Tokens.patient(stranger)).get("/api/me/access-log").then().statusCode(403)
                .body("error", org.hamcrest.Matchers.equalTo("no access: the caller may not see or change this"));
        try (Registry r = new Registry()) {
            assertThat(r.text("""
                    SELECT outcome || ' ' || reason FROM audit_event
                     WHERE subject = ? AND entry_point = 'GET /api/me/access-log' ORDER BY seq DESC LIMIT 1""",
                    "test-citizen-" + UUID.nameUUIDFromBytes(stranger.getBytes()))).isEqualTo("denied no-such-patient");
        }
        given().get("/api/me/access-log").then().statusCode(401);
    }

    @Test
    void openApiDescribesTheCallersOwnEndpoints() {
        JsonPath api = given().get("/q/openapi?format=json").then().statusCode(200).extract().jsonPath();
        assertThat(api.getString("paths.'/api/me'.get.summary")).isEqualTo("Who the signed-in caller is");
        assertThat(api.getString("paths.'/api/me/access-log'.get.summary")).isEqualTo("The signed-in patient's access log");
        assertThat(api.getString("paths.'/api/me/export'.get.summary")).isEqualTo("Download all of the signed-in patient's data");
    }

    static Map<String, Object> entry(List<Map<String, Object>> entries, String name, String outcome) {
        return entries.stream().filter(e -> name.equals(at(e, "who.name")) && outcome.equals(e.get("outcome"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + outcome + " entry of " + name + " in " + entries));
    }

    @SuppressWarnings("unchecked")
    static Object at(Map<String, Object> m, String path) {
        Object v = m;
        for (String p : path.split("\\.")) {
            v = ((Map<String, Object>) v).get(p);
        }
        return v;
    }
}
