package no.knutepunkt.access;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static no.knutepunkt.testing.VendorMessages.canonical;
import static no.knutepunkt.testing.VendorMessages.utf8;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import no.knutepunkt.testing.CapturedLog;
import no.knutepunkt.testing.ForgedTokens;
import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.TestIdentities;
import no.knutepunkt.testing.Tokens;
import no.knutepunkt.testing.VendorClient;

/**
 * security.md: "Logs never contain fødselsnummer or measurement values; they use internal ids."
 * The hub is made to log as much as it can about patients — onboarding through the registry API,
 * readings over MQTT, good and refused, FHIR searches by fødselsnummer, allowed and forbidden,
 * tokens carrying a pid that are refused, bodies that cannot be read — while {@link CapturedLog}
 * keeps every line it logs: the hub's own categories (no.knutepunkt, knutepunkt.security) at
 * DEBUG, since their every line is ours to keep clean; the libraries' at their configured levels,
 * as a deployment runs them (several quote tokens, paths and exception messages at DEBUG — README,
 * "Logs and personal data"). Then no line may hold any of the numbers, written whole, as 6+5 or
 * with spaces, or as birth date and personnummer apart, nor any of the measured values as sent or
 * as stored.
 */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
class PersonalDataInLogsTest {

    private static final String FNR_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.1";
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String VENDOR = "logscan-" + RUN;
    private static final String OTHER_VENDOR = "logscan-other-" + RUN;
    private static final String HPR = "9180001";

    /** Every number the hub hears of here: patients', a malformed body's, refused tokens', a wrong one. */
    private final Map<String, String> numbers = new LinkedHashMap<>();
    /** Every measured value sent, and the value as stored where the hub rounds it. */
    private final List<String> values = new ArrayList<>();

    @Test
    void noFodselsnummerAndNoMeasuredValueIsEverLogged() throws Exception {
        List<CapturedLog.Line> lines;
        try (CapturedLog log = CapturedLog.start().raise(Level.FINE, "no.knutepunkt", "knutepunkt")) {
            work();
            lines = log.lines();
        }

        List<String> found = new ArrayList<>();
        numbers.forEach((what, n) -> lines.stream().filter(l -> holds(l.text(), n)).forEach(l -> found.add(what + " " + n + " in: " + l)));
        for (String v : values) {
            lines.stream().filter(l -> valuePattern(v).matcher(l.text()).find()).forEach(l -> found.add("value " + v + " in: " + l));
        }
        System.out.println("PersonalDataInLogsTest: scanned " + lines.size() + " log lines for " + numbers.size()
                + " fødselsnumre and " + values.size() + " values");
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(found).as("personal data in the log").isEmpty();
        // The scan can only fail if it sees what the hub logs: the foreign device's refusal is a WARN
        // of the hub's at its configured level, a refused FHIR read a DEBUG line of the hub's own.
        soft.assertThat(lines).as("captured log lines").anySatisfy(l -> assertThat(l.text()).contains("foreign-device"));
        soft.assertThat(lines).as("captured log lines").anySatisfy(l -> assertThat(l.text()).startsWith("FHIR request refused: 403"));
        soft.assertAll();
    }

    /** Everything that might make the hub log about a patient. */
    private void work() throws Exception {
        String fnrKari = number("patient Kari", TestIdentities.syntheticFnr());
        String fnrOla = number("patient Ola", TestIdentities.syntheticFnr());
        String dnrGuest = number("patient Gjest (D-nummer)", TestIdentities.syntheticDnr());
        String fnrStranger = number("a number in a malformed body", TestIdentities.syntheticFnr());
        String fnrCitizen = number("pid of refused tokens", TestIdentities.syntheticFnr());
        String wrong = number("a number with a wrong check digit", fnrOla.substring(0, 10) + ((fnrOla.charAt(10) - '0' + 3) % 10));

        // --- onboarding through the registry API, as a municipality does it
        String orgNumber = TestIdentities.orgNumber();
        String operator = Tokens.operator();
        UUID municipality = UUID.fromString(created(post(operator, "/api/registry/organisations",
                Map.of("orgNumber", orgNumber, "name", "Loggvik kommune", "kind", "municipality"))).get("id").asText());
        String otherOrg = TestIdentities.orgNumber();
        created(post(operator, "/api/registry/organisations",
                Map.of("orgNumber", otherOrg, "name", "Annenvik legesenter", "kind", "gp-practice")));
        created(post(operator, "/api/registry/vendors", Map.of("id", VENDOR, "name", VENDOR, "format", "canonical")));
        created(post(operator, "/api/registry/vendors", Map.of("id", OTHER_VENDOR, "name", OTHER_VENDOR, "format", "canonical")));
        String admin = Tokens.admin(orgNumber);
        String kariDevice = "LS-K-" + RUN;
        String olaDevice = "LS-O-" + RUN;
        String foreignDevice = "LS-F-" + RUN;
        OffsetDateTime since = OffsetDateTime.now(ZoneOffset.ofHours(1)).minusDays(2).withNano(0);
        UUID kari = enrol(admin, municipality, fnrKari, "Kari", "Loggsen", since, kariDevice);
        enrol(admin, municipality, fnrOla, "Ola", "Loggsen", since, olaDevice);
        enrol(admin, municipality, dnrGuest, "Gjest", "Besøk", since, null);
        created(post(operator, "/api/registry/devices", Map.of("vendorId", OTHER_VENDOR, "serial", foreignDevice)));

        // The registry's refusals, each with a number in the body.
        post(admin, "/api/registry/patients", Map.of("identifier", fnrKari, "givenName", "Kari", "familyName", "Igjen"))
                .then().statusCode(409);
        post(admin, "/api/registry/patients", Map.of("identifier", wrong, "givenName", "Feil", "familyName", "Siffer"))
                .then().statusCode(422);
        postRaw(admin, "/api/registry/patients", "{\"identifier\": \"" + fnrStranger + "\", \"givenName\": ").then().statusCode(400);
        postRaw(admin, "/api/registry/patients",
                "{\"identifier\": {\"value\": \"" + fnrStranger + "\"}, \"givenName\": \"A\", \"familyName\": \"B\"}")
                .then().statusCode(400);
        postRaw(admin, "/api/registry/patients",
                "{\"identifier\": \"" + fnrStranger + "\", \"givenName\": \"A\", \"familyName\": \"B\", \"born\": }")
                .then().statusCode(400);

        // --- readings over MQTT: stored, refused, parked, foreign, unreadable
        try (VendorClient vendor = new VendorClient()) {
            OffsetDateTime at = OffsetDateTime.now(ZoneOffset.ofHours(1)).minusMinutes(10).withNano(0);
            accepted(vendor, kariDevice, canonical(id(), kariDevice, at, reading("weight", value("81.37", "81.4"), "kg"),
                    reading("glucose", value("13.9", "13.9"), "mmol/L")));
            // A vendor that also sends the patient's number along: the hub ignores the field and must not log it.
            accepted(vendor, olaDevice,
                    withNote(canonical(id(), olaDevice, at, reading("temperature", value("38.76", "38.8"), "Cel")), fnrOla));
            refused(vendor, kariDevice, canonical(id(), kariDevice, at, reading("weight", value("712.38", "712.4"), "kg")), "rejected");
            refused(vendor, kariDevice, canonical(id(), kariDevice, at, reading("weight", value("64.29", "64.3"), "mm[Hg]")), "rejected");
            String unknownDevice = "LS-U-" + RUN;
            refused(vendor, unknownDevice, canonical(id(), unknownDevice, at, reading("glucose", value("11.73", "11.7"), "mmol/L")),
                    "parked");
            refused(vendor, foreignDevice, canonical(id(), foreignDevice, at, reading("weight", value("77.91", "77.9"), "kg")), "rejected");
            String unreadable = "LS-X-" + RUN;
            vendor.publish(VENDOR, unreadable, utf8("{\"messageId\": \"" + id() + "\", \"patient\": \"" + fnrKari
                    + "\", \"readings\": [{\"kind\": \"weight\", \"value\": " + value("69.17", "69.2")));
            assertThat(vendor.awaitReceiptOf(VENDOR, unreadable).get("status").asText()).isEqualTo("rejected");
        }

        // --- FHIR reads by fødselsnummer: allowed, forbidden, unknown, malformed
        String clinician = Tokens.clinician(orgNumber, HPR);
        String outsider = Tokens.clinician(otherOrg, "9180002");
        fhir(clinician, "/fhir/Observation", "patient.identifier", FNR_SYSTEM + "|" + fnrKari).then().statusCode(200);
        fhir(clinician, "/fhir/Observation", "patient.identifier", fnrOla).then().statusCode(200);
        fhir(clinician, "/fhir/Patient", "identifier", FNR_SYSTEM + "|" + fnrKari).then().statusCode(200);
        fhir(clinician, "/fhir/Patient", "identifier", dnrGuest).then().statusCode(200);
        fhir(outsider, "/fhir/Observation", "patient.identifier", FNR_SYSTEM + "|" + fnrKari).then().statusCode(403);
        fhir(outsider, "/fhir/Patient", "identifier", fnrKari).then().statusCode(200);
        fhir(clinician, "/fhir/Observation", "patient.identifier", fnrStranger).then().statusCode(403);
        fhir(clinician, "/fhir/Observation", "patient", fnrKari).then().statusCode(403);
        given().auth().oauth2(clinician).get("/fhir/Patient/" + fnrKari).then().statusCode(403);
        given().auth().oauth2(clinician).get("/fhir/Observation/" + fnrKari).then().statusCode(404);
        given().auth().oauth2(clinician).get("/fhir/" + fnrKari).then().statusCode(404);
        given().auth().oauth2(clinician).queryParam("patient.identifier", fnrKari).queryParam("date", fnrKari).get("/fhir/Observation")
                .then().statusCode(400);
        given().auth().oauth2(clinician).queryParam("patient.name", fnrKari).get("/fhir/Observation").then().statusCode(400);
        given().auth().oauth2(clinician).get("/fhir/Observation/$lastn?patient=" + kari).then().statusCode(200);
        // The patient, reading their own data by their number.
        fhir(Tokens.patient(fnrKari), "/fhir/Observation", "patient.identifier", fnrKari).then().statusCode(200);

        // --- refused tokens whose claims carry a number
        Map<String, Object> lowAssurance = citizen(fnrCitizen);
        lowAssurance.put("acr", "idporten-loa-substantial");
        Map<String, Object> expired = citizen(fnrCitizen);
        expired.put("exp", Instant.now().getEpochSecond() - 600);
        Map<String, Object> invalidPid = citizen(wrong);
        Map<String, Object> wrongAudience = new HashMap<>(Tokens.issuer().claims("nurse"));
        wrongAudience.put("helseid://claims/identity/pid", fnrCitizen);
        wrongAudience.put("aud", "someone-else");
        for (String token : List.of(signed(lowAssurance), signed(expired), signed(invalidPid), signed(wrongAudience),
                ForgedTokens.unsigned(Tokens.header(), citizen(fnrCitizen)),
                ForgedTokens.withPayloadSwapped(signed(citizen(fnrOla)), citizen(fnrCitizen)),
                ForgedTokens.paddedTo(9000, "pid_again", Tokens.header(), citizen(fnrCitizen)))) {
            fhir(token, "/fhir/Observation", "patient.identifier", fnrCitizen).then().statusCode(401);
        }
        fhir(ForgedTokens.paddedTo(40 * 1024, "pid_again", Tokens.header(), citizen(fnrCitizen)), "/fhir/Observation", "patient.identifier",
                fnrCitizen).then().statusCode(431);
    }

    // --- registry API

    private UUID enrol(String admin, UUID municipality, String number, String given, String family, OffsetDateTime since, String device) {
        UUID patient = UUID.fromString(created(post(admin, "/api/registry/patients",
                Map.of("identifier", number, "givenName", given, "familyName", family))).get("id").asText());
        UUID enrollment = UUID.fromString(created(post(admin, "/api/registry/enrollments", Map.of("patientId", patient.toString(),
                "programme", "copd", "responsibleOrganisationId", municipality.toString(),
                "careTeam", List.of(Map.of("organisationId", municipality.toString(), "role", "follow-up-service")),
                "startedAt", since.toString(), "consent", Map.of("scope", "home-follow-up", "givenBy", "patient", "form", "written",
                        "givenAt", since.toString(), "documentReference", "sak 2026/0001 (test)")))).get("id").asText());
        if (device != null) {
            created(post(Tokens.operator(), "/api/registry/devices", Map.of("vendorId", VENDOR, "serial", device)));
            created(post(admin, "/api/registry/enrollments/" + enrollment + "/assignments",
                    Map.of("vendorId", VENDOR, "serial", device, "validFrom", since.toString())));
        }
        return patient;
    }

    private static Response post(String token, String path, Object body) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(body).post(path);
    }

    private static Response postRaw(String token, String path, String body) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(body).post(path);
    }

    private static JsonNode created(Response r) {
        r.then().log().ifValidationFails().statusCode(201);
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.asString());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError("not JSON: " + r.asString(), e);
        }
    }

    // --- MQTT

    private static void accepted(VendorClient vendor, String device, String message) throws Exception {
        assertThat(receipt(vendor, device, message).get("status").asText()).isEqualTo("accepted");
    }

    private static void refused(VendorClient vendor, String device, String message, String status) throws Exception {
        assertThat(receipt(vendor, device, message).get("status").asText()).isEqualTo(status);
    }

    private static JsonNode receipt(VendorClient vendor, String device, String message) throws Exception {
        String messageId = message.substring(message.indexOf("\"messageId\": \"") + 14, message.indexOf("\", \"deviceId\""));
        vendor.publish(VENDOR, device, message);
        return vendor.awaitReceipt(messageId);
    }

    private static String reading(String kind, String value, String unit) {
        return "{\"kind\": \"" + kind + "\", \"value\": " + value + ", \"unit\": \"" + unit + "\"}";
    }

    private static String withNote(String message, String number) {
        return "{\"patientNationalId\": \"" + number + "\", " + message.substring(1);
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }

    // --- FHIR and tokens

    private static Response fhir(String token, String path, String parameter, String value) {
        return given().auth().oauth2(token).queryParam(parameter, value).get(path);
    }

    private static Map<String, Object> citizen(String pid) {
        Map<String, Object> c = new HashMap<>(Tokens.issuer().claims("patient"));
        c.put("pid", pid);
        return c;
    }

    private static String signed(Map<String, Object> claims) {
        return Tokens.issuer().sign(Tokens.header(), claims);
    }

    // --- what is looked for

    private String number(String what, String n) {
        numbers.put(what, n);
        return n;
    }

    /** Notes the value as sent and as the hub stores it (rounded to its kind's precision); returns it as sent. */
    private String value(String sent, String stored) {
        values.add(sent);
        if (!stored.equals(sent)) {
            values.add(stored);
        }
        return sent;
    }

    /**
     * The number is in the line: its eleven digits in order, whole or split by single spaces, dots or
     * dashes (6+5, 2+2+2+5, one by one); or its birth date (six digits) and personnummer (five) both,
     * each standing alone, wherever they are in the line ("født 010180, pnr 12345").
     */
    private static boolean holds(String line, String n) {
        Pattern whole = Pattern.compile(n.chars().mapToObj(c -> String.valueOf((char) c)).collect(Collectors.joining("[\\s\\u00a0.-]?")));
        return whole.matcher(line).find() || alone(n.substring(0, 6)).matcher(line).find() && alone(n.substring(6)).matcher(line).find();
    }

    private static Pattern alone(String digits) {
        return Pattern.compile("(?<![0-9])" + digits + "(?![0-9])");
    }

    /** The value with a decimal point or comma, trailing zeros allowed, not part of a longer number. */
    private static Pattern valuePattern(String v) {
        String[] parts = v.split("\\.");
        return Pattern.compile("(?<![0-9.,])" + parts[0] + "[.,]" + parts[1] + "0*(?![0-9])");
    }
}
