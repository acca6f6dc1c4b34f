package no.knutepunkt.registry;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;

import no.knutepunkt.registry.DeviceRouting.DeviceKey;
import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.Pilot;
import no.knutepunkt.testing.Registry;
import no.knutepunkt.testing.TestIdentities;
import no.knutepunkt.testing.Tokens;
import no.knutepunkt.web.DemoPilotProfile;

/**
 * Bulk onboarding from CSV (POST /api/registry/bulk-onboarding): a good file is written whole, the
 * same file again changes nothing, and every kind of bad input refuses the whole file — every row
 * answered, nothing written (no patient, enrollment, assignment, consent or audit row more than
 * before). The responsible organisation is always the caller's own municipality.
 */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
@TestProfile(DemoPilotProfile.class)
class BulkOnboardingTest {

    private static final String API = "/api/registry/bulk-onboarding";
    private static final String VENDOR = Pilot.CANONICAL;
    private static final ZoneId NORWAY = ZoneId.of("Europe/Oslo");
    private static final LocalDate START = LocalDate.now(NORWAY).minusDays(10);

    private static UUID municipality;
    private static UUID neighbour;
    private static String gp;
    private static String hospital;
    private static String admin;

    @Inject
    AssignmentsChangedLog announced;

    @BeforeAll
    static void pilot() {
        Pilot.vendors();
        municipality = Pilot.organisation("Importvik kommune", "municipality");
        neighbour = Pilot.organisation("Nabovik kommune", "municipality");
        gp = Pilot.orgNumber(Pilot.organisation("Importvik legesenter", "gp-practice"));
        hospital = Pilot.orgNumber(Pilot.organisation("Sykehuset Importvik HF", "hospital"));
        admin = Pilot.adminOf(municipality);
    }

    // --- good files

    @Test
    void aGoodFileIsWrittenWholeWithEveryRowCreated() throws SQLException {
        String d1 = device();
        String d2 = device();
        String d3 = device();
        Row kari = patient();
        Row per = patient();
        Row liv = patient();
        Counts before = counts();

        JsonPath r = upload(admin, csv(kari.device(VENDOR, d1), kari.device(VENDOR, d2), per.device(VENDOR, d3), liv))
                .statusCode(200).body("outcome", equalTo("written")).extract().jsonPath();

        assertThat(r.getList("rows.result")).containsExactly("created", "created", "created", "created");
        assertThat(r.getList("rows.row")).containsExactly(2, 3, 4, 5);
        assertThat(r.getList("rows[0].creates")).containsExactly("patient", "enrollment", "consent", "assignment");
        assertThat(r.getList("rows[1].creates")).containsExactly("assignment");
        assertThat(r.getList("rows[3].creates")).containsExactly("patient", "enrollment", "consent");
        assertThat(r.getInt("counts.created")).isEqualTo(4);
        assertThat(counts().minus(before)).isEqualTo(new Counts(3, 3, 3, 3, 3));

        try (Registry db = new Registry()) {
            UUID patient = UUID.fromString(db.text("SELECT id::text FROM patient WHERE identifier = ?", kari.fnr()));
            assertThat(r.getString("rows[0].patientId")).isEqualTo(patient.toString());
            assertThat(db.count("SELECT count(*) FROM enrollment WHERE patient_id = ? AND responsible_organisation_id = ? "
                    + "AND programme = 'copd' AND started_at = ?", patient, municipality, start())).isEqualTo(1);
            assertThat(db.text("SELECT string_agg(role, ',' ORDER BY role) FROM enrollment_care_team t JOIN enrollment e "
                    + "ON e.id = t.enrollment_id WHERE e.patient_id = ?", patient)).isEqualTo("follow-up-service,gp,hospital");
            assertThat(db.count("SELECT count(*) FROM device_assignment a JOIN enrollment e ON e.id = a.enrollment_id "
                    + "WHERE e.patient_id = ? AND a.valid_from = ? AND a.valid_to IS NULL", patient, start())).isEqualTo(2);
            assertThat(db.count("SELECT count(*) FROM consent WHERE patient_id = ? AND given_by = 'patient' AND form = 'written'", patient))
                    .isEqualTo(1);
            // One audit entry per patient, in the same transaction as what it records.
            assertThat(db.count("SELECT count(*) FROM audit_event WHERE patient_id = ? AND action = 'create' "
                    + "AND resource_type = 'EpisodeOfCare' AND purpose = 'admin' AND outcome = 'allowed' AND cardinality(resource_ids) = 3",
                    patient)).isEqualTo(1);
        }
        // Announced after the commit: an observer then sees the new assignment, so parked readings are routed.
        assertThat(announced.about(new DeviceKey(VENDOR, d1))).isNotEmpty()
                .allSatisfy(seen -> assertThat(seen.visibleAssignments()).hasSize(3));
    }

    @Test
    void theSameFileAgainIsAllUnchangedAndWritesNothing() throws SQLException {
        Row ola = patient();
        Row eva = patient();
        String file = csv(ola.device(VENDOR, device()), ola.device(VENDOR, device()), eva);
        upload(admin, file).statusCode(200).body("outcome", equalTo("written"));
        Counts before = counts();

        JsonPath r = upload(admin, file).statusCode(200).body("outcome", equalTo("unchanged")).extract().jsonPath();

        assertThat(r.getList("rows.result")).containsExactly("unchanged", "unchanged", "unchanged");
        assertThat(r.getList("rows.creates.flatten()")).isEmpty();
        assertThat(counts()).isEqualTo(before);
    }

    @Test
    void aFileMixingRegisteredAndNewRowsWritesOnlyWhatIsNew() throws SQLException {
        Row anne = patient();
        String first = device();
        upload(admin, csv(anne.device(VENDOR, first))).statusCode(200);
        Row bjorn = patient();
        String second = device();
        String third = device();
        Counts before = counts();

        JsonPath r = upload(admin, csv(anne.device(VENDOR, first), anne.device(VENDOR, second), bjorn.device(VENDOR, third)))
                .statusCode(200).body("outcome", equalTo("written")).extract().jsonPath();

        assertThat(r.getList("rows.result")).containsExactly("unchanged", "created", "created");
        assertThat(r.getList("rows[1].creates")).containsExactly("assignment");
        assertThat(r.getInt("counts.unchanged")).isEqualTo(1);
        assertThat(counts().minus(before)).isEqualTo(new Counts(1, 1, 2, 1, 2));
        try (Registry db = new Registry()) {
            assertThat(db.count("SELECT count(*) FROM audit_event a JOIN patient p ON p.id = a.patient_id WHERE p.identifier = ? "
                    + "AND a.action = 'assign'", anne.fnr())).isEqualTo(1);
        }
    }

    @Test
    void commasABomAndQuotedFieldsAreReadAsRfc4180AndExcelWriteThem() throws SQLException {
        Row oda = patient().with("fornavn", "Oda \"Odda\"").with("etternavn", "Berg, d.y.").with("samtykke_dokument", "Sak 2026/7; bilag 2");
        String file = "\uFEFF" + csv(',', oda.device(VENDOR, device()));

        upload(admin, file).statusCode(200).body("outcome", equalTo("written")).body("rows[0].name", equalTo("Oda \"Odda\" Berg, d.y."));

        try (Registry db = new Registry()) {
            assertThat(db.text("SELECT given_name || '|' || family_name FROM patient WHERE identifier = ?", oda.fnr()))
                    .isEqualTo("Oda \"Odda\"|Berg, d.y.");
            assertThat(db.text("SELECT c.document_reference FROM consent c JOIN patient p ON p.id = c.patient_id WHERE p.identifier = ?",
                    oda.fnr())).isEqualTo("Sak 2026/7; bilag 2");
        }
    }

    @Test
    void aLineBreakInAQuotedFieldIsPartOfItsRowAndRowsAreNumberedAsASpreadsheetDoes() throws SQLException {
        refusedAndNothingWritten(csv(patient().with("samtykke_dokument", "Sak 2026/8\nbilag 2"), patient()), r -> {
            assertThat(r.getList("rows.row")).containsExactly(2, 3);
            assertThat(r.getList("rows.result")).containsExactly("refused", "created");
            assertThat(r.getList("rows[0].reasons", String.class)).containsExactly("samtykke_dokument contains control characters");
        });
    }

    @Test
    void aFormUploadIsTheSameFile() {
        Row siv = patient();
        given().auth().oauth2(admin).multiPart("file", "pasienter.csv", csv(siv).getBytes(StandardCharsets.UTF_8), "text/csv")
                .post(API).then().statusCode(200).body("outcome", equalTo("written")).body("rows[0].result", equalTo("created"));
    }

    @Test
    void devicePeriodsThatDoNotOverlapMayFollowEachOtherInOneFile() {
        String shared = device();
        String handover = LocalDate.now(NORWAY).minusDays(3).toString();
        Row first = patient().with("tildelt_til", handover);
        Row second = patient().with("tildelt_fra", handover);

        upload(admin, csv(List.of("tildelt_fra", "tildelt_til"), ';', first.device(VENDOR, shared), second.device(VENDOR, shared)))
                .statusCode(200).body("rows.result", equalTo(List.of("created", "created")));
    }

    @Test
    void theExampleFileOnboardsIntoTheDemoPilot() throws Exception {
        // deploy/examples/bulk-onboarding.csv, as the demo's admin of Eksempelvik: Kari Nordmann is in the seed exactly so.
        byte[] example = java.nio.file.Files.readAllBytes(java.nio.file.Path.of("deploy/examples/bulk-onboarding.csv"));
        String eksempelvik = Tokens.admin("111111111");

        JsonPath r = given().auth().oauth2(eksempelvik).contentType("text/csv").body(example).post(API).then().statusCode(200)
                .extract().jsonPath();
        assertThat(r.getList("rows.result").subList(0, 3)).containsOnly("unchanged");
        given().auth().oauth2(eksempelvik).contentType("text/csv").body(example).post(API).then().statusCode(200)
                .body("outcome", equalTo("unchanged"));
    }

    // --- bad input: the whole file refused, every row answered, nothing written

    @Test
    void wrongOrMissingColumnsRefuseTheFileNamingThem() throws SQLException {
        String header = String.join(";", OnboardingCsv.REQUIRED).replace(";serienummer", ";telefon");
        Counts before = counts();

        upload(admin, header + "\n" + patient().line(';').replaceAll(";[^;]*$", ";99999999"))
                .statusCode(422).body("outcome", equalTo("refused")).body("problemCode", equalTo("columns"))
                .body("problem", containsString("missing columns: serienummer")).body("problem", containsString("unknown columns: telefon"))
                .body("rows", empty());
        assertThat(counts()).isEqualTo(before);
    }

    @Test
    void aFileThatIsNotUtf8IsRefusedSayingHowToSaveIt() throws SQLException {
        Row bjorn = patient().with("fornavn", "Bjørn").with("etternavn", "Ærlig");
        Counts before = counts();

        given().auth().oauth2(admin).contentType("text/csv").body(csv(bjorn).getBytes(StandardCharsets.ISO_8859_1)).post(API).then()
                .statusCode(422).body("problemCode", equalTo("not-utf8")).body("problem", containsString("CSV UTF-8"));
        assertThat(counts()).isEqualTo(before);
    }

    @Test
    void aFileOverTheSizeLimitIsRefusedBeforeItIsReadAndWhileItIsRead() throws Exception {
        byte[] large = largeFile(5 * 1024 * 1024 + 1);
        Counts before = counts();

        // Content-Length says so: refused unread.
        given().auth().oauth2(admin).contentType("text/csv").body(large).post(API).then()
                .statusCode(413).body("problemCode", equalTo("too-large")).body("problem", containsString("5 MB"));
        // No length (chunked): refused once more than the limit has come.
        HttpResponse<String> chunked = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url() + API))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(large))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertThat(chunked.body()).contains("too-large");
        assertThat(counts()).isEqualTo(before);
    }

    @Test
    void everyOtherRequestKeepsTheOrdinaryBodyLimit() {
        // The server takes an onboarding file of 5 MB; a JSON body of more than HTTP_MAX_BODY (1M) is still refused unread.
        byte[] body = ("{\"identifier\": \"" + "1".repeat(1024 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
        given().auth().oauth2(admin).contentType("application/json").body(body).post("/api/registry/patients").then().statusCode(413);
        given().auth().oauth2(admin).contentType("text/csv").body(largeFile(2 * 1024 * 1024)).post(API).then().statusCode(422)
                .body("problemCode", equalTo("rows-refused"));
    }

    @Test
    void aFileOverTheRowLimitIsRefused() throws SQLException {
        StringBuilder file = new StringBuilder(String.join(";", OnboardingCsv.REQUIRED)).append('\n');
        String row = ";".repeat(OnboardingCsv.REQUIRED.size() - 1) + "\n";
        file.append(row.repeat(20_001).replace("\n;", "\nx;"));
        Counts before = counts();

        upload(admin, file.toString()).statusCode(413).body("problemCode", equalTo("too-many-rows"))
                .body("problem", containsString("20000"));
        assertThat(counts()).isEqualTo(before);
    }

    @Test
    void anInvalidFodselsnummerIsRefusedWithoutEchoingIt() throws SQLException {
        Row good = patient();
        Row wrong = patient();
        String wrongCheckDigit = wrong.fnr().substring(0, 10) + (char) ('0' + (wrong.fnr().charAt(10) - '0' + 1) % 10);
        Row shortNumber = patient().with("fodselsnummer", "1234567");

        String body = refusedAndNothingWritten(csv(good, wrong.with("fodselsnummer", wrongCheckDigit), shortNumber), r -> {
            assertThat(r.getList("rows.result")).containsExactly("created", "refused", "refused");
            assertThat(r.getList("rows[1].reasons", String.class)).anySatisfy(x -> assertThat(x).startsWith("fodselsnummer: ")
                    .contains("check digits"));
            assertThat(r.getList("rows[2].reasons", String.class)).anySatisfy(x -> assertThat(x).contains("11 digits"));
        });
        assertThat(body).doesNotContain(wrongCheckDigit).doesNotContain("1234567");
    }

    @Test
    void aNumberRegisteredUnderOtherNamesIsRefused() throws SQLException {
        Row anna = patient();
        given().auth().oauth2(admin).contentType("application/json")
                .body(Map.of("identifier", anna.fnr(), "givenName", "Anna", "familyName", "Annensen")).post("/api/registry/patients")
                .then().statusCode(201);

        Row anne = anna.with("fornavn", "Anne");
        refusedAndNothingWritten(csv(patient(), anne.device(VENDOR, device()), anne.device(VENDOR, device())), r -> {
            assertThat(r.getList("rows.result")).containsExactly("created", "refused", "refused");
            assertThat(r.getList("rows[1].reasons", String.class)).contains(
                    "fodselsnummer: a patient with this fødselsnummer or D-nummer is registered under another name");
            assertThat(r.getList("rows[2].reasons", String.class)).isEqualTo(r.getList("rows[1].reasons", String.class));
        });
    }

    @Test
    void anUnknownProgrammeIsRefused() throws SQLException {
        refusedAndNothingWritten(csv(patient(), patient().with("program", "astma")), r -> {
            assertThat(r.getList("rows.result")).containsExactly("created", "refused");
            assertThat(r.getString("rows[1].reasons[0]")).startsWith("program: unknown programme \"astma\"").contains("kols, hjertesvikt");
        });
    }

    @Test
    void anUnknownDeviceIsRefused() throws SQLException {
        refusedAndNothingWritten(csv(patient(), patient().device(VENDOR, "NOT-REGISTERED-" + UUID.randomUUID())), r -> {
            assertThat(r.getList("rows.result")).containsExactly("created", "refused");
            assertThat(r.getString("rows[1].reasons[0]")).startsWith("serienummer: no device nordic-telecare/NOT-REGISTERED-")
                    .contains("is registered");
        });
    }

    @Test
    void aDeviceAssignedToAnotherPatientInAnOverlappingPeriodIsRefused() throws SQLException {
        String taken = device();
        String holder = upload(admin, csv(patient().device(VENDOR, taken))).statusCode(200).extract().path("rows[0].enrollmentId");

        refusedAndNothingWritten(csv(patient(), patient().device(VENDOR, taken)), r -> {
            assertThat(r.getList("rows.result")).containsExactly("created", "refused");
            assertThat(r.getString("rows[1].reasons[0]")).isEqualTo("serienummer: device " + VENDOR + "/" + taken
                    + " is assigned to another patient from " + START + " (open-ended); periods of one device must not overlap");
        });
        // The API says the same, by the same lookup (DeviceAssignments.overlapping), naming the enrollment in the way.
        String other = upload(admin, csv(patient())).statusCode(200).extract().path("rows[0].enrollmentId");
        given().auth().oauth2(admin).contentType("application/json").body(Map.of("vendorId", VENDOR, "serial", taken, "validFrom",
                start().plusDays(1).toString())).post("/api/registry/enrollments/" + other + "/assignments").then().statusCode(409)
                .body("field", equalTo("validFrom")).body("error", containsString("(open-ended) in enrollment " + holder));
    }

    @Test
    void oneDeviceForOverlappingPeriodsWithinTheFileIsRefused() throws SQLException {
        String twice = device();
        refusedAndNothingWritten(csv(patient().device(VENDOR, twice), patient(), patient().device(VENDOR, twice)), r -> {
            assertThat(r.getList("rows.result")).containsExactly("refused", "created", "refused");
            assertThat(r.getString("rows[0].reasons[0]")).contains("is also in row 4 for an overlapping period");
            assertThat(r.getString("rows[2].reasons[0]")).contains("is also in row 2 for an overlapping period");
        });
    }

    @Test
    void aDuplicateRowIsRefused() throws SQLException {
        Row same = patient().device(VENDOR, device());
        refusedAndNothingWritten(csv(same, patient(), same), r -> {
            assertThat(r.getList("rows.result")).containsExactly("created", "created", "refused");
            assertThat(r.getList("rows[2].reasons", String.class)).contains("the same as row 2");
        });
    }

    @Test
    void rowsOfOnePatientThatDisagreeAreRefused() throws SQLException {
        Row ivar = patient();
        refusedAndNothingWritten(csv(ivar.device(VENDOR, device()), ivar.with("start", START.minusDays(1).toString())
                .with("program", "hjertesvikt").device(VENDOR, device())), r -> {
                    assertThat(r.getList("rows.result")).containsExactly("refused", "refused");
                    assertThat(r.getString("rows[0].reasons[0]")).isEqualTo("rows 3 of this patient differ from this row");
                    assertThat(r.getString("rows[1].reasons[0]")).endsWith("differs from row 2 in program, start");
                });
    }

    @Test
    void aConsentInTheFutureOrWithoutADocumentIsRefused() throws SQLException {
        refusedAndNothingWritten(csv(patient(), patient().with("samtykke_gitt", LocalDate.now(NORWAY).plusDays(2).toString()),
                patient().with("samtykke_dokument", ""), patient().with("samtykke_av", "representant")), r -> {
                    assertThat(r.getList("rows.result")).containsExactly("created", "refused", "refused", "refused");
                    assertThat(r.getList("rows[1].reasons", String.class)).contains("samtykke_gitt: consent cannot be given in the future");
                    assertThat(r.getList("rows[2].reasons", String.class)).contains("samtykke_dokument is required");
                    assertThat(r.getList("rows[3].reasons", String.class)).contains("representant is required");
                });
    }

    @Test
    void anOrganisationNumberThatIsNotARegisteredGpPracticeOrHospitalIsRefused() throws SQLException {
        String unregistered = TestIdentities.orgNumber();
        String badCheckDigit = gp.substring(0, 8) + (char) ('0' + (gp.charAt(8) - '0' + 1) % 10);
        refusedAndNothingWritten(csv(patient(), patient().with("fastlege_orgnr", hospital), patient().with("sykehus_orgnr", unregistered),
                patient().with("fastlege_orgnr", badCheckDigit)), r -> {
                    assertThat(r.getList("rows.result")).containsExactly("created", "refused", "refused", "refused");
                    assertThat(r.getString("rows[1].reasons[0]"))
                            .isEqualTo("fastlege_orgnr: no GP practice with organisation number " + hospital + " is registered");
                    assertThat(r.getString("rows[2].reasons[0]"))
                            .isEqualTo("sykehus_orgnr: no hospital with organisation number " + unregistered + " is registered");
                    assertThat(r.getString("rows[3].reasons[0]")).startsWith("fastlege_orgnr: ").contains("check digit");
                });
    }

    @Test
    void aRowWithTheWrongNumberOfFieldsIsRefused() throws SQLException {
        refusedAndNothingWritten(String.join(";", OnboardingCsv.REQUIRED) + "\n" + patient().line(';') + "\n" + patient().line(';') + ";extra",
                r -> {
                    assertThat(r.getList("rows.result")).containsExactly("created", "refused");
                    assertThat(r.getString("rows[1].reasons[0]")).startsWith("the row has 14 fields where the header has 13");
                });
    }

    // --- whose municipality

    @Test
    void anAdminOfAnotherMunicipalityCannotOnboardIntoThisOne() throws SQLException {
        Row tone = patient();
        upload(admin, csv(tone)).statusCode(200);
        String neighboursAdmin = Pilot.adminOf(neighbour);

        // The neighbour's admin, with the very same file: its own municipality's enrollment, never this one's.
        JsonPath r = upload(neighboursAdmin, csv(tone)).statusCode(200).extract().jsonPath();
        assertThat(r.getList("rows[0].creates")).containsExactly("enrollment", "consent");
        try (Registry db = new Registry()) {
            assertThat(db.count("SELECT count(*) FROM enrollment e JOIN patient p ON p.id = e.patient_id WHERE p.identifier = ? "
                    + "AND e.responsible_organisation_id = ?", tone.fnr(), municipality)).isEqualTo(1);
            assertThat(db.count("SELECT count(*) FROM enrollment e JOIN patient p ON p.id = e.patient_id WHERE p.identifier = ? "
                    + "AND e.responsible_organisation_id = ?", tone.fnr(), neighbour)).isEqualTo(1);
            assertThat(db.count("SELECT count(*) FROM enrollment_care_team t JOIN enrollment e ON e.id = t.enrollment_id JOIN patient p "
                    + "ON p.id = e.patient_id WHERE p.identifier = ? AND e.responsible_organisation_id = ? AND t.role = 'follow-up-service' "
                    + "AND t.organisation_id = ?", tone.fnr(), neighbour, neighbour)).isEqualTo(1);
        }
        // A file cannot name a responsible organisation: such a column is not one of the format's.
        Counts before = counts();
        String header = String.join(";", OnboardingCsv.REQUIRED) + ";ansvarlig_orgnr";
        upload(neighboursAdmin, header + "\n" + patient().line(';') + ";" + Pilot.orgNumber(municipality)).statusCode(422)
                .body("problemCode", equalTo("columns")).body("problem", containsString("unknown columns: ansvarlig_orgnr"));
        assertThat(counts()).isEqualTo(before);
    }

    @Test
    void onlyAMunicipalityAdminMayUploadAndARefusalIsAudited() throws SQLException {
        Counts before = counts();
        upload(Pilot.clinicianOf(municipality, "9188001"), csv(patient())).statusCode(403);

        assertThat(counts().minus(before)).isEqualTo(new Counts(0, 0, 0, 0, 1));
        given().contentType("text/csv").body(csv(patient())).post(API).then().statusCode(401);
        assertThat(counts().minus(before)).matches(c -> c.patients() + c.enrollments() + c.assignments() + c.consents() == 0);
        try (Registry db = new Registry()) {
            assertThat(db.text("SELECT reason FROM audit_event WHERE outcome = 'denied' AND hpr_number = '9188001' ORDER BY seq DESC LIMIT 1"))
                    .isEqualTo("requires-role-municipality-admin");
        }
    }

    // --- helpers

    /** Uploads the file as the admin: refused (422), and nothing of it written. Returns the answer's body. */
    private static String refusedAndNothingWritten(String file, java.util.function.Consumer<JsonPath> rows) throws SQLException {
        Counts before = counts();
        ValidatableResponse r = upload(admin, file).statusCode(422).body("outcome", equalTo("refused"))
                .body("problemCode", equalTo("rows-refused")).body("problem", containsString("nothing was written"));
        JsonPath json = r.extract().jsonPath();
        rows.accept(json);
        assertThat(json.getInt("counts.refused")).isPositive();
        assertThat(json.getList("rows.patientId").stream().allMatch(java.util.Objects::isNull)).isTrue();
        assertThat(counts()).isEqualTo(before);
        return r.extract().asString();
    }

    private static ValidatableResponse upload(String token, String csv) {
        return given().auth().oauth2(token).contentType("text/csv; charset=UTF-8").body(csv.getBytes(StandardCharsets.UTF_8)).post(API)
                .then();
    }

    private record Counts(long patients, long enrollments, long assignments, long consents, long audit) {
        Counts minus(Counts o) {
            return new Counts(patients - o.patients, enrollments - o.enrollments, assignments - o.assignments, consents - o.consents,
                    audit - o.audit);
        }
    }

    private static Counts counts() throws SQLException {
        try (Registry db = new Registry()) {
            return new Counts(db.count("SELECT count(*) FROM patient"), db.count("SELECT count(*) FROM enrollment"),
                    db.count("SELECT count(*) FROM device_assignment"), db.count("SELECT count(*) FROM consent"),
                    db.count("SELECT count(*) FROM audit_event"));
        }
    }

    /** A registered device of the canonical vendor, new to this test. */
    private static String device() {
        String serial = "BULK-" + UUID.randomUUID().toString().substring(0, 12);
        Pilot.device(VENDOR, serial);
        return serial;
    }

    private static OffsetDateTime start() {
        return START.atStartOfDay(NORWAY).toOffsetDateTime();
    }

    /** A new patient's row: COPD from {@link #START}, this municipality's GP practice and hospital, consent given the day before. */
    private static Row patient() {
        Map<String, String> v = new LinkedHashMap<>();
        for (String c : OnboardingCsv.REQUIRED) {
            v.put(c, "");
        }
        for (String c : OnboardingCsv.OPTIONAL) {
            v.put(c, "");
        }
        v.put("fodselsnummer", TestIdentities.syntheticFnr());
        v.put("fornavn", "Test");
        v.put("etternavn", "Importsen");
        v.put("program", "kols");
        v.put("start", START.toString());
        v.put("fastlege_orgnr", gp);
        v.put("sykehus_orgnr", hospital);
        v.put("samtykke_gitt", START.minusDays(1).format(java.time.format.DateTimeFormatter.ofPattern("dd.MM.yyyy")));
        v.put("samtykke_av", "pasient");
        v.put("samtykke_dokument", "Importvik arkiv 2026/" + UUID.randomUUID().toString().substring(0, 6));
        return new Row(v);
    }

    /** One row; {@link #with} and {@link #device} give changed copies. */
    private record Row(Map<String, String> values) {

        String fnr() {
            return values.get("fodselsnummer");
        }

        Row with(String column, String value) {
            Map<String, String> v = new LinkedHashMap<>(values);
            v.put(column, value);
            return new Row(v);
        }

        Row device(String vendor, String serial) {
            return with("leverandor", vendor).with("serienummer", serial);
        }

        String line(char separator) {
            return line(separator, List.of());
        }

        String line(char separator, List<String> optional) {
            List<String> columns = new ArrayList<>(OnboardingCsv.REQUIRED);
            columns.addAll(optional);
            return String.join(String.valueOf(separator), columns.stream().map(c -> quoted(values.get(c), separator)).toList());
        }

        private static String quoted(String value, char separator) {
            boolean quote = value.indexOf(separator) >= 0 || value.contains("\"") || value.contains("\n");
            return quote ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
        }
    }

    private static String csv(Row... rows) {
        return csv(';', rows);
    }

    private static String csv(char separator, Row... rows) {
        return csv(List.of(), separator, rows);
    }

    private static String csv(List<String> optional, char separator, Row... rows) {
        List<String> header = new ArrayList<>(OnboardingCsv.REQUIRED);
        header.addAll(optional);
        StringBuilder s = new StringBuilder(String.join(String.valueOf(separator), header)).append("\r\n");
        for (Row r : rows) {
            s.append(r.line(separator, optional)).append("\r\n");
        }
        return s.toString();
    }

    /** A well-formed file of at least this many bytes. */
    private static byte[] largeFile(int bytes) {
        StringBuilder s = new StringBuilder(String.join(";", OnboardingCsv.REQUIRED)).append('\n');
        String row = patient().line(';') + "\n";
        while (s.length() < bytes) {
            s.append(row);
        }
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String url() {
        return ConfigProvider.getConfig().getValue("test.url", String.class);
    }
}
