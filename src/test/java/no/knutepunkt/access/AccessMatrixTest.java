package no.knutepunkt.access;

import static io.restassured.RestAssured.given;
import static no.knutepunkt.access.AccessMatrixTest.Applies.NA;
import static no.knutepunkt.access.AccessMatrixTest.Applies.NO;
import static no.knutepunkt.access.AccessMatrixTest.Applies.YES;
import static no.knutepunkt.access.AccessMatrixTest.Asker.ADMIN;
import static no.knutepunkt.access.AccessMatrixTest.Asker.ADMIN_WITH_HPR;
import static no.knutepunkt.access.AccessMatrixTest.Asker.CLINICIAN;
import static no.knutepunkt.access.AccessMatrixTest.Asker.OPERATOR;
import static no.knutepunkt.access.AccessMatrixTest.Asker.OTHER_PATIENT;
import static no.knutepunkt.access.AccessMatrixTest.Asker.PATIENT;
import static no.knutepunkt.access.AccessMatrixTest.Asker.VENDOR;
import static no.knutepunkt.access.AccessMatrixTest.Relation.CARE_TEAM;
import static no.knutepunkt.access.AccessMatrixTest.Relation.ENDED_CARE_TEAM;
import static no.knutepunkt.access.AccessMatrixTest.Relation.NONE;
import static no.knutepunkt.access.AccessMatrixTest.Relation.NOT_APPLICABLE;
import static no.knutepunkt.access.AccessMatrixTest.Relation.OTHER_MUNICIPALITY;
import static no.knutepunkt.access.AccessMatrixTest.Relation.OTHER_ORGANISATION;
import static no.knutepunkt.access.AccessMatrixTest.Relation.RESPONSIBLE;
import static no.knutepunkt.access.AccessMatrixTest.Resource.ENROLLMENTS;
import static no.knutepunkt.access.AccessMatrixTest.Resource.EXPORT;
import static no.knutepunkt.audit.AuditEntry.Purpose.EMERGENCY;
import static no.knutepunkt.audit.AuditEntry.Purpose.OWN_DATA;
import static no.knutepunkt.audit.AuditEntry.Purpose.TREATMENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

import org.assertj.core.api.SoftAssertions;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import no.knutepunkt.audit.AuditEntry.Purpose;
import no.knutepunkt.registry.DeviceRouting;
import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.Registry;
import no.knutepunkt.testing.TestIdentities;
import no.knutepunkt.testing.Tokens;

/**
 * The access matrix: every caller × care relation × block × break-the-glass against every entry
 * point to one patient's data, each cell's HTTP status and the audit row it leaves asserted against
 * {@link #expected}, the access policy's rules (AccessPolicy, BreakTheGlass) written out as one small
 * function. A handful of cells is asserted by hand besides (the tests after the matrix), so that a
 * mistake in that function cannot hide the same mistake in the hub. The matrix is printed as
 * Markdown to stdout and to {@code target/access-matrix.md}, for the README.
 * <p>
 * Each clinician row asks about a patient of its own, so that one row's block, care-team membership
 * or emergency access cannot answer for another's; the rows of callers without an HPR number (or
 * with one no other row has) share one patient. State that only exists after an emergency access
 * was granted (a block made later, a care-team membership begun later) is set up in that order,
 * through the emergency-access API, and the API's refusal of a second request is asserted.
 */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AccessMatrixTest {

    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String VENDOR_ID = "matrix-" + RUN;
    private static final String VENDOR_CLIENT = "matrix-client-" + RUN;
    private static final String ORG_CLAIM = "helseid://claims/client/claims/orgnr_parent";
    private static final String HPR_CLAIM = "helseid://claims/hpr/hpr_number";
    private static final String EMERGENCY_REASON = "Innlagt akutt, trenger siste målinger (matrisetest)";
    private static final String EMERGENCY_PATH = "/api/access/emergency";
    /** 24 rows (21 of callers with an organisation, 3 of callers without) × 7 resources: a row or a resource lost fails the count. */
    private static final int CELLS = 168;

    // --- the axes

    /** Who asks. */
    enum Asker {
        CLINICIAN("clinician"),
        ADMIN("municipality admin"),
        ADMIN_WITH_HPR("municipality admin with an HPR number"),
        OPERATOR("operator"),
        PATIENT("the patient themself"),
        OTHER_PATIENT("another patient"),
        VENDOR("vendor client");

        final String shown;

        Asker(String shown) {
            this.shown = shown;
        }

        boolean admin() {
            return this == ADMIN || this == ADMIN_WITH_HPR;
        }
    }

    /** The caller's organisation's relation to the patient; callers without an organisation have none to speak of. */
    enum Relation {
        CARE_TEAM("care team of a running enrollment"),
        ENDED_CARE_TEAM("care team of an ended enrollment only"),
        OTHER_ORGANISATION("another registered organisation, not in the team"),
        NONE("none: the patient is enrolled nowhere"),
        RESPONSIBLE("its municipality is the responsible one"),
        OTHER_MUNICIPALITY("another municipality is the responsible one"),
        NOT_APPLICABLE("–");

        final String shown;

        Relation(String shown) {
            this.shown = shown;
        }
    }

    /** A yes/no axis, or "–" where it does not apply (a block without an HPR number, an emergency access for a non-clinician). */
    enum Applies {
        YES("yes"), NO("no"), NA("–");

        final String shown;

        Applies(String shown) {
            this.shown = shown;
        }
    }

    record Row(Asker asker, Relation relation, Applies blocked, Applies emergency) {
    }

    /** The entry points, with the action and resource type the audit row must name. */
    enum Resource {
        OBSERVATION_SEARCH("Observation search", "search", "Observation", DataKind.MEASUREMENTS,
                f -> "/fhir/Observation?patient=" + f.patient, f -> "GET /fhir/Observation"),
        OBSERVATION_READ("Observation read", "read", "Observation", DataKind.MEASUREMENTS,
                f -> "/fhir/Observation/" + f.observation, f -> "GET /fhir/Observation/" + f.observation),
        LASTN("$lastn", "lastn", "Observation", DataKind.MEASUREMENTS,
                f -> "/fhir/Observation/$lastn?patient=" + f.patient, f -> "GET /fhir/Observation/$lastn"),
        PATIENT_READ("Patient", "read", "Patient", DataKind.DEMOGRAPHICS,
                f -> "/fhir/Patient/" + f.patient, f -> "GET /fhir/Patient/" + f.patient),
        REGISTRY_PATIENT("registry patient", "read", "Patient", DataKind.DEMOGRAPHICS,
                f -> "/api/registry/patients/" + f.patient, f -> "GET /api/registry/patients/" + f.patient),
        ENROLLMENTS("registry enrollments", "search", "EpisodeOfCare", DataKind.CARE_RECORD,
                f -> "/api/registry/enrollments?patientId=" + f.patient, f -> "GET /api/registry/enrollments"),
        EXPORT("export", "export", "Bundle", DataKind.EXPORT, f -> "/api/me/export", f -> "GET /api/me/export");

        final String shown;
        final String action;
        final String resourceType;
        final DataKind kind;
        final Function<Fixture, String> url;
        final Function<Fixture, String> entryPoint;

        Resource(String shown, String action, String resourceType, DataKind kind, Function<Fixture, String> url,
                Function<Fixture, String> entryPoint) {
            this.shown = shown;
            this.action = action;
            this.resourceType = resourceType;
            this.kind = kind;
            this.url = url;
            this.entryPoint = entryPoint;
        }
    }

    static final List<Row> ROWS = rows();

    private static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (Relation r : List.of(CARE_TEAM, ENDED_CARE_TEAM, OTHER_ORGANISATION, NONE)) {
            for (Applies blocked : List.of(NO, YES)) {
                for (Applies emergency : List.of(NO, YES)) {
                    rows.add(new Row(CLINICIAN, r, blocked, emergency));
                }
            }
        }
        rows.add(new Row(ADMIN, RESPONSIBLE, NA, NA));
        rows.add(new Row(ADMIN, OTHER_MUNICIPALITY, NA, NA));
        // The policy refuses a blocked HPR number to anyone who has one, an admin too (AccessPolicy.administer).
        rows.add(new Row(ADMIN_WITH_HPR, RESPONSIBLE, NO, NA));
        rows.add(new Row(ADMIN_WITH_HPR, RESPONSIBLE, YES, NA));
        // The operator acts for the hub's own organisation: registered, and in nobody's care team.
        rows.add(new Row(OPERATOR, OTHER_ORGANISATION, NA, NA));
        rows.add(new Row(PATIENT, NOT_APPLICABLE, NA, NA));
        rows.add(new Row(OTHER_PATIENT, NOT_APPLICABLE, NA, NA));
        rows.add(new Row(VENDOR, NOT_APPLICABLE, NA, NA));
        return List.copyOf(rows);
    }

    // --- the rules

    /** Whose patient id an audit row names. */
    enum Whose {
        /** The patient the row asks about. */
        THE_PATIENT,
        /** The caller's own record (a patient's export). */
        CALLERS_OWN,
        /** No patient (a refusal before any patient was looked up). */
        NOBODY,
        /** Someone else: always wrong. */
        SOMEONE_ELSE
    }

    /**
     * What a cell shows: the status, and the audit row — allowed with a purpose, denied with a reason,
     * or none ({@code outcome} null) — and whose patient id it names.
     */
    record Verdict(int status, String outcome, String detail, Whose whose) {

        static final Verdict ROLE_NOT_ADMITTED = new Verdict(403, "denied", "role-not-admitted", Whose.NOBODY);

        static Verdict allowed(Purpose purpose) {
            return new Verdict(200, "allowed", purpose.code(), Whose.THE_PATIENT);
        }

        static Verdict denied(String reason) {
            return new Verdict(403, "denied", reason, Whose.THE_PATIENT);
        }

        static Verdict ownRecord() {
            return new Verdict(200, "allowed", OWN_DATA.code(), Whose.CALLERS_OWN);
        }

        String shown() {
            String audit = outcome == null ? "[] (none shown, not audited)" : detail;
            String whom = whose == Whose.CALLERS_OWN ? " (own record)" : whose == Whose.SOMEONE_ELSE ? " (audited with another patient!)" : "";
            return status + " " + audit + whom;
        }
    }

    /**
     * The policy's rules as AccessPolicy and the entry points state them, in the order they are
     * applied; each {@code return} is one rule.
     */
    static Verdict expected(Row row, Resource resource) {
        // The export is @RolesAllowed("patient"): Quarkus refuses every other role before the policy is
        // asked, and SecurityRefusals audits that refusal without a patient (none was looked up). It
        // names no patient, so a patient gets their own record and nobody else's.
        if (resource == EXPORT) {
            return row.asker() == PATIENT ? Verdict.allowed(OWN_DATA)
                    : row.asker() == OTHER_PATIENT ? Verdict.ownRecord() : Verdict.ROLE_NOT_ADMITTED;
        }
        // A block of the caller's HPR number (sperring) wins over everything else: the care team, an
        // emergency access, a municipality's responsibility.
        if (row.blocked() == YES) {
            return Verdict.denied("blocked-by-patient");
        }
        // A patient sees all of their own data (innsyn).
        if (row.asker() == PATIENT) {
            return Verdict.allowed(OWN_DATA);
        }
        // A clinician sees measurements, the Patient and the care record while its organisation is in
        // the care team of a running enrollment (tjenstlig behov: treatment); failing that, under an
        // emergency access in force (emergency); otherwise nothing. An ended enrollment counts for nothing.
        if (row.asker() == CLINICIAN) {
            return row.relation() == CARE_TEAM ? Verdict.allowed(TREATMENT)
                    : row.emergency() == YES ? Verdict.allowed(EMERGENCY) : Verdict.denied("no-care-relation");
        }
        // A municipality admin sees the Patient and the care record of the enrollments its municipality
        // is responsible for, never measurements; one patient's enrollments are decided like the rest.
        if (row.asker().admin()) {
            if (resource.kind == DataKind.MEASUREMENTS) {
                return Verdict.denied("not-allowed-for-role");
            }
            return row.relation() == RESPONSIBLE ? Verdict.allowed(Purpose.ADMIN) : Verdict.denied("not-own-municipality");
        }
        // Operators, vendor systems and other patients see no patient's data.
        return Verdict.denied("not-allowed-for-role");
    }

    /**
     * The answers of POST /api/access/emergency, in the order a row asks (BreakTheGlass): only a
     * clinician may break the glass. A clinician's row with an emergency access asks before its block
     * or care-team membership exists (granted, audited as emergency), and again after: a block refuses
     * (403, checked before the care team), and a member of the care team is told it needs none (409,
     * advice rather than a refusal, so not audited).
     */
    static List<String> expectedEmergency(Row row) {
        if (row.asker() != CLINICIAN) {
            return List.of("403 requires-role-clinician");
        }
        if (row.emergency() == NO) {
            return List.of();
        }
        List<String> answers = new ArrayList<>(List.of("201 " + EMERGENCY.code()));
        if (row.blocked() == YES) {
            answers.add("403 blocked-by-patient");
        } else if (row.relation() == CARE_TEAM) {
            answers.add("409 not audited");
        }
        return answers;
    }

    // --- the fixtures

    /** A row's patient and caller: whom it asks about, what there is to see, who asks, and what break-the-glass answered. */
    static final class Fixture {
        UUID patient;
        String fnr;
        String familyName;
        UUID observation;
        UUID enrollment;
        List<String> enrollments = List.of();
        String token;
        String subject;
        UUID ownPatient;
        UUID emergencyAccess;
        final List<String> emergencyAnswers = new ArrayList<>();
    }

    private final OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).withNano(0);
    private final String municipalityNumber = TestIdentities.orgNumber();
    private final String otherMunicipalityNumber = TestIdentities.orgNumber();
    private final String practiceNumber = TestIdentities.orgNumber();
    private final int hprBase = ThreadLocalRandom.current().nextInt(1_000_000, 8_000_000);
    private int serial;
    private Registry registry;
    private UUID municipality;
    private UUID practice;
    private Map<Row, Fixture> fixtures;
    private Fixture shared;
    private Fixture other;

    @BeforeAll
    void registerOrganisations() throws SQLException {
        registry = new Registry();
        municipality = registry.organisation(municipalityNumber, "Matrisevik kommune", "municipality");
        registry.organisation(otherMunicipalityNumber, "Nabovik kommune", "municipality");
        practice = registry.organisation(practiceNumber, "Matrisevik legesenter", "gp-practice");
        registry.vendor(VENDOR_ID, "canonical");
        try (PreparedStatement ps = registry.connection().prepareStatement("UPDATE vendor SET oauth_client_id = ? WHERE id = ?")) {
            ps.setString(1, VENDOR_CLIENT);
            ps.setString(2, VENDOR_ID);
            ps.executeUpdate();
        }
    }

    @AfterAll
    void close() throws SQLException {
        registry.close();
    }

    /** Built on first use, once HTTP is served: the emergency accesses are asked for through the API. */
    private Map<Row, Fixture> fixtures() throws SQLException {
        if (fixtures != null) {
            return fixtures;
        }
        // The rows without a patient of their own ask about this one: enrolled by the municipality, in its care team.
        shared = patient("Felles", CARE_TEAM, null);
        other = patient("Annen", CARE_TEAM, null);
        fixtures = new LinkedHashMap<>();
        for (Row row : ROWS) {
            fixtures.put(row, row.asker() == CLINICIAN ? clinicianRow(row) : sharedRow(row));
        }
        return fixtures;
    }

    /**
     * A patient of the row's own. An emergency access is asked for before the row's block and the
     * practice's care-team membership exist (a clinician inside the team, or blocked, is refused
     * one), and asked for again once they do.
     */
    private Fixture clinicianRow(Row row) throws SQLException {
        boolean emergency = row.emergency() == YES;
        // Inside the care team, a clinician is refused an emergency access: the practice joins the team after the grant.
        Fixture f = patient("Rad" + (ROWS.indexOf(row) + 1), row.relation(), emergency && row.relation() == CARE_TEAM ? null : practice);
        String hpr = String.valueOf(hprBase + ROWS.indexOf(row));
        f.token = Tokens.clinician(practiceNumber, hpr);
        f.subject = "test-clinician-" + hpr;
        if (!emergency) {
            if (row.blocked() == YES) {
                registry.block(f.patient, hpr);
            }
            return f;
        }
        f.emergencyAnswers.add(askEmergency(f));
        if (row.relation() == CARE_TEAM) {
            registry.careTeam(f.enrollment, practice, "gp");
        }
        if (row.blocked() == YES) {
            registry.block(f.patient, hpr);
        }
        if (row.relation() == CARE_TEAM || row.blocked() == YES) {
            f.emergencyAnswers.add(askEmergency(f));
        }
        return f;
    }

    /** A caller without a patient of its own, asking about the shared patient. */
    private Fixture sharedRow(Row row) throws SQLException {
        Fixture f = new Fixture();
        f.patient = shared.patient;
        f.fnr = shared.fnr;
        f.familyName = shared.familyName;
        f.observation = shared.observation;
        f.enrollment = shared.enrollment;
        f.enrollments = shared.enrollments;
        switch (row.asker()) {
            case ADMIN -> {
                f.token = Tokens.admin(row.relation() == RESPONSIBLE ? municipalityNumber : otherMunicipalityNumber);
                f.subject = claim("admin", "sub");
            }
            case ADMIN_WITH_HPR -> {
                String hpr = String.valueOf(hprBase + ROWS.indexOf(row));
                f.subject = "test-admin-" + hpr;
                f.token = Tokens.with("admin", Map.of(ORG_CLAIM, municipalityNumber, HPR_CLAIM, hpr, "sub", f.subject));
                if (row.blocked() == YES) {
                    registry.block(f.patient, hpr);
                }
            }
            case OPERATOR -> {
                f.token = Tokens.operator();
                f.subject = claim("operator", "sub");
            }
            case PATIENT -> {
                f.token = Tokens.patient(shared.fnr);
                f.subject = citizen(shared.fnr);
                f.ownPatient = shared.patient;
            }
            case OTHER_PATIENT -> {
                f.token = Tokens.patient(other.fnr);
                f.subject = citizen(other.fnr);
                f.ownPatient = other.patient;
            }
            case VENDOR -> {
                f.token = Tokens.vendor(VENDOR_CLIENT);
                f.subject = VENDOR_CLIENT;
            }
            default -> throw new IllegalArgumentException(row.asker() + " has a patient of its own");
        }
        f.emergencyAnswers.add(askEmergency(f));
        return f;
    }

    /**
     * A registered patient with one reading, enrolled as the relation says: by the municipality,
     * with the municipality in the care team, and {@code member} too unless it is null. The reading
     * of a patient enrolled nowhere is kept without an enrollment: who follows the patient is what
     * decides, not where the reading came from.
     */
    private Fixture patient(String familyName, Relation relation, UUID member) throws SQLException {
        Fixture f = new Fixture();
        f.fnr = TestIdentities.syntheticFnr();
        f.familyName = familyName + " Matrise";
        f.patient = registry.patient(f.fnr, "Mia", f.familyName);
        if (relation != NONE) {
            boolean ended = relation == ENDED_CARE_TEAM;
            f.enrollment = registry.enrollment(f.patient, municipality, now.minusDays(ended ? 400 : 30));
            registry.careTeam(f.enrollment, municipality, "follow-up-service");
            if (member != null && relation != OTHER_ORGANISATION) {
                registry.careTeam(f.enrollment, member, "gp");
            }
            if (ended) {
                registry.endEnrollment(f.enrollment, now.minusDays(30));
            }
            f.enrollments = List.of(f.enrollment.toString());
        }
        String device = "MX-" + RUN + "-" + ++serial;
        long deviceId = registry.device(VENDOR_ID, device);
        DeviceRouting.Subject subject = new DeviceRouting.Subject(f.patient, "fnr", f.fnr, "Mia " + f.familyName, municipalityNumber,
                "Matrisevik kommune");
        f.observation = registry.pulse(VENDOR_ID, deviceId, device, f.enrollment, subject, 72, now.minusHours(1));
        return f;
    }

    /** POST /api/access/emergency as the row's caller; the answer as the matrix shows it ("201 emergency", "409 not audited"). */
    private String askEmergency(Fixture f) throws SQLException {
        long head = head();
        Response r = given().auth().oauth2(f.token).contentType(ContentType.JSON)
                .body(Map.of("patientId", f.patient.toString(), "reason", EMERGENCY_REASON)).post(EMERGENCY_PATH);
        List<AuditRow> rows = rowsAfter(head, f.subject, "POST " + EMERGENCY_PATH, r.statusCode() != 409);
        assertThat(rows).as("audit rows of one emergency-access request").hasSizeLessThanOrEqualTo(1);
        AuditRow a = rows.isEmpty() ? null : rows.get(0);
        if (r.statusCode() == 201) {
            f.emergencyAccess = UUID.fromString(r.jsonPath().getString("id"));
            assertThat(a).as("the grant's audit row").isNotNull();
            assertThat(a.emergencyAccess()).as("the grant's audit row names the grant").isEqualTo(f.emergencyAccess);
            assertThat(a.patient()).isEqualTo(f.patient);
        }
        return r.statusCode() + " " + (a == null ? "not audited" : "allowed".equals(a.outcome()) ? a.purpose() : a.reason());
    }

    // --- the matrix

    /** One cell as it came out: what the hub did, and what the rules say it should have. */
    record Cell(Verdict observed, Verdict expected) {
        String shown() {
            return observed.equals(expected) ? observed.shown() : "**" + observed.shown() + "** ✗ expected " + expected.shown();
        }
    }

    @Order(1)
    @Test
    void everyCellIsAsThePolicySays() throws Exception {
        Map<Row, Fixture> all = fixtures();
        SoftAssertions soft = new SoftAssertions();
        Map<Row, Map<Resource, Cell>> matrix = new LinkedHashMap<>();
        Map<Row, String> emergency = new LinkedHashMap<>();
        int checked = 0;
        for (Row row : ROWS) {
            Fixture f = all.get(row);
            soft.assertThat(f.emergencyAnswers).as("%s: POST %s", row, EMERGENCY_PATH).isEqualTo(expectedEmergency(row));
            emergency.put(row, emergencyShown(row, f.emergencyAnswers));
            Map<Resource, Cell> cells = new LinkedHashMap<>();
            for (Resource resource : Resource.values()) {
                cells.put(resource, ask(row, f, resource, soft));
                checked++;
            }
            matrix.put(row, cells);
        }
        String table = table(matrix, emergency);
        System.out.println(table);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "access-matrix.md"), table);
        soft.assertThat(checked).as("cells checked").isEqualTo(ROWS.size() * Resource.values().length).isEqualTo(CELLS);
        soft.assertAll();
    }

    /** Asks, and checks the answer, its body and its audit row against the rules. */
    private Cell ask(Row row, Fixture f, Resource resource, SoftAssertions soft) throws SQLException {
        Verdict expected = expected(row, resource);
        String cell = row + " × " + resource.shown;
        long head = head();
        Response r = given().urlEncodingEnabled(false).auth().oauth2(f.token).get(resource.url.apply(f));
        List<AuditRow> rows = rowsAfter(head, f.subject, resource.entryPoint.apply(f), expected.outcome() != null);
        soft.assertThat(rows).as("%s: one audit row at most", cell).hasSizeLessThanOrEqualTo(1);
        AuditRow a = rows.isEmpty() ? null : rows.get(0);
        Verdict observed = a == null ? new Verdict(r.statusCode(), null, null, null)
                : new Verdict(r.statusCode(), a.outcome(), "allowed".equals(a.outcome()) ? a.purpose() : a.reason(), whose(a, f));
        soft.assertThat(observed).as(cell).isEqualTo(expected);
        if (a != null) {
            boolean securityRefusal = Verdict.ROLE_NOT_ADMITTED.equals(expected);
            soft.assertThat(a.action()).as("%s: audited action", cell).isEqualTo(securityRefusal ? "authorise" : resource.action);
            soft.assertThat(a.resourceType()).as("%s: audited resource type", cell).isEqualTo(securityRefusal ? null : resource.resourceType);
            soft.assertThat(a.emergencyAccess()).as("%s: the emergency access it was allowed under", cell)
                    .isEqualTo(EMERGENCY.code().equals(a.purpose()) ? f.emergencyAccess : null);
            if (EMERGENCY.code().equals(a.purpose())) {
                soft.assertThat(f.emergencyAccess).as("%s: a grant to be allowed under", cell).isNotNull();
            }
        }
        String body = r.asString();
        if (r.statusCode() == 200) {
            soft.assertThat(shown(resource, r, f)).as("%s: what the answer shows", cell).isEqualTo(expectedShown(resource, expected, f));
        } else {
            soft.assertThat(body).as("%s: a refusal shows nothing of the patient", cell).doesNotContain(f.fnr).doesNotContain(f.familyName)
                    .doesNotContain(f.observation.toString());
        }
        return new Cell(observed, expected);
    }

    /** The ids a 200 answer shows: the reading, the patient, the enrollments, or whose record an export is. */
    private static List<String> shown(Resource resource, Response r, Fixture f) {
        return switch (resource) {
            case OBSERVATION_SEARCH, LASTN -> r.jsonPath().getList("entry.resource.id", String.class);
            case OBSERVATION_READ, PATIENT_READ, REGISTRY_PATIENT -> List.of(r.jsonPath().getString("id"));
            case ENROLLMENTS -> r.jsonPath().getList("id", String.class);
            case EXPORT -> r.jsonPath().getList("entry.resource.findAll { it.resourceType == 'Patient' }.id", String.class);
        };
    }

    private static List<String> expectedShown(Resource resource, Verdict expected, Fixture f) {
        if (expected.outcome() == null) {
            return List.of();
        }
        return switch (resource) {
            case OBSERVATION_SEARCH, OBSERVATION_READ, LASTN -> List.of(f.observation.toString());
            case PATIENT_READ, REGISTRY_PATIENT -> List.of(f.patient.toString());
            case ENROLLMENTS -> f.enrollments;
            case EXPORT -> List.of(f.ownPatient.toString());
        };
    }

    private static Whose whose(AuditRow a, Fixture f) {
        if (a.patient() == null) {
            return Whose.NOBODY;
        }
        if (a.patient().equals(f.patient)) {
            return Whose.THE_PATIENT;
        }
        return a.patient().equals(f.ownPatient) ? Whose.CALLERS_OWN : Whose.SOMEONE_ELSE;
    }

    /** Markdown: one line per row, one column per resource. */
    private static String table(Map<Row, Map<Resource, Cell>> matrix, Map<Row, String> emergency) {
        StringBuilder t = new StringBuilder("| caller | care relation | block | break-the-glass (POST " + EMERGENCY_PATH + ") |");
        for (Resource resource : Resource.values()) {
            t.append(' ').append(resource.shown).append(" |");
        }
        t.append("\n|---|---|---|---|").append("---|".repeat(Resource.values().length)).append('\n');
        matrix.forEach((row, cells) -> {
            t.append("| ").append(row.asker().shown).append(" | ").append(row.relation().shown).append(" | ").append(row.blocked().shown)
                    .append(" | ").append(emergency.get(row)).append(" |");
            cells.values().forEach(c -> t.append(' ').append(c.shown()).append(" |"));
            t.append('\n');
        });
        return t.toString();
    }

    /** The break-the-glass column: whether the row holds an emergency access, and what the API answered on the way. */
    private static String emergencyShown(Row row, List<String> answers) {
        if (!answers.equals(expectedEmergency(row))) {
            return "**" + answers + "** ✗ expected " + expectedEmergency(row);
        }
        if (row.emergency() == NA) {
            return "– (" + answers.get(0) + ")";
        }
        if (row.emergency() == NO) {
            return "no";
        }
        if (answers.size() == 1) {
            return "yes (" + answers.get(0) + ")";
        }
        String then = row.blocked() == YES ? "blocked after it" : "in the team after it";
        return "yes (" + answers.get(0) + "; " + then + ", asked again: " + answers.get(1) + ")";
    }

    // --- a handful of cells by hand, independent of expected()

    @Order(2)
    @Test
    void theCareTeamsClinicianReadsTheReadingsForTreatment() throws SQLException {
        Fixture f = fixtures().get(new Row(CLINICIAN, CARE_TEAM, NO, NO));
        long head = head();
        Response r = get(f, "/fhir/Observation?patient=" + f.patient);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.jsonPath().getList("entry.resource.id", String.class)).containsExactly(f.observation.toString());
        AuditRow a = onlyRow(head, f, "GET /fhir/Observation");
        assertThat(a).extracting(AuditRow::outcome, AuditRow::purpose, AuditRow::patient, AuditRow::emergencyAccess)
                .containsExactly("allowed", "treatment", f.patient, null);
    }

    @Order(3)
    @Test
    void aBlockWinsOverTheCareTeamAndAnEmergencyAccessGrantedBeforeIt() throws SQLException {
        Fixture f = fixtures().get(new Row(CLINICIAN, CARE_TEAM, YES, YES));
        assertThat(f.emergencyAccess).as("granted before the block").isNotNull();
        long head = head();
        Response r = get(f, "/fhir/Observation/" + f.observation);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.asString()).doesNotContain(f.observation.toString());
        assertThat(onlyRow(head, f, "GET /fhir/Observation/" + f.observation)).extracting(AuditRow::outcome, AuditRow::reason,
                AuditRow::patient).containsExactly("denied", "blocked-by-patient", f.patient);
        head = head();
        Response again = given().auth().oauth2(f.token).contentType(ContentType.JSON)
                .body(Map.of("patientId", f.patient.toString(), "reason", EMERGENCY_REASON)).post(EMERGENCY_PATH);
        assertThat(again.statusCode()).isEqualTo(403);
        assertThat(onlyRow(head, f, "POST " + EMERGENCY_PATH).reason()).isEqualTo("blocked-by-patient");
    }

    @Order(4)
    @Test
    void anEmergencyAccessOpensThePatientToAnotherOrganisationsClinicianUnderItsOwnGrant() throws SQLException {
        Fixture f = fixtures().get(new Row(CLINICIAN, OTHER_ORGANISATION, NO, YES));
        long head = head();
        Response r = get(f, "/fhir/Observation/$lastn?patient=" + f.patient);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.jsonPath().getList("entry.resource.id", String.class)).containsExactly(f.observation.toString());
        assertThat(onlyRow(head, f, "GET /fhir/Observation/$lastn")).extracting(AuditRow::outcome, AuditRow::purpose,
                AuditRow::emergencyAccess).containsExactly("allowed", "emergency", f.emergencyAccess);
        // Without one, the same organisation's clinician is refused.
        Fixture without = fixtures().get(new Row(CLINICIAN, OTHER_ORGANISATION, NO, NO));
        head = head();
        assertThat(get(without, "/fhir/Patient/" + without.patient).statusCode()).isEqualTo(403);
        assertThat(onlyRow(head, without, "GET /fhir/Patient/" + without.patient).reason()).isEqualTo("no-care-relation");
    }

    @Order(5)
    @Test
    void anEndedEnrollmentsCareTeamNoLongerSeesThePatient() throws SQLException {
        Fixture f = fixtures().get(new Row(CLINICIAN, ENDED_CARE_TEAM, NO, NO));
        long head = head();
        assertThat(get(f, "/api/registry/enrollments?patientId=" + f.patient).statusCode()).isEqualTo(403);
        assertThat(onlyRow(head, f, "GET /api/registry/enrollments")).extracting(AuditRow::outcome, AuditRow::reason)
                .containsExactly("denied", "no-care-relation");
    }

    @Order(6)
    @Test
    void theMunicipalityAdminSeesItsPatientButNeverTheReadings() throws SQLException {
        Fixture f = fixtures().get(new Row(ADMIN, RESPONSIBLE, NA, NA));
        long head = head();
        assertThat(get(f, "/fhir/Observation?patient=" + f.patient).statusCode()).isEqualTo(403);
        assertThat(onlyRow(head, f, "GET /fhir/Observation").reason()).isEqualTo("not-allowed-for-role");
        head = head();
        Response r = get(f, "/api/registry/patients/" + f.patient);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.jsonPath().getString("id")).isEqualTo(f.patient.toString());
        assertThat(onlyRow(head, f, "GET /api/registry/patients/" + f.patient).purpose()).isEqualTo("admin");
        Fixture neighbour = fixtures().get(new Row(ADMIN, OTHER_MUNICIPALITY, NA, NA));
        head = head();
        assertThat(get(neighbour, "/fhir/Patient/" + f.patient).statusCode()).isEqualTo(403);
        assertThat(onlyRow(head, neighbour, "GET /fhir/Patient/" + f.patient).reason()).isEqualTo("not-own-municipality");
    }

    @Order(7)
    @Test
    void anotherPatientSeesNothingOfThePatientAndExportsOnlyTheirOwnRecord() throws SQLException {
        Fixture f = fixtures().get(new Row(OTHER_PATIENT, NOT_APPLICABLE, NA, NA));
        long head = head();
        assertThat(get(f, "/fhir/Patient/" + f.patient).statusCode()).isEqualTo(403);
        assertThat(onlyRow(head, f, "GET /fhir/Patient/" + f.patient).reason()).isEqualTo("not-allowed-for-role");
        Response export = get(f, "/api/me/export");
        assertThat(export.statusCode()).isEqualTo(200);
        assertThat(export.asString()).contains(other.patient.toString()).doesNotContain(shared.patient.toString())
                .doesNotContain(shared.observation.toString());
    }

    @Order(8)
    @Test
    void theOperatorAndAVendorSystemSeeNoPatientData() throws SQLException {
        Fixture operator = fixtures().get(new Row(OPERATOR, OTHER_ORGANISATION, NA, NA));
        long head = head();
        assertThat(get(operator, "/api/me/export").statusCode()).isEqualTo(403);
        assertThat(onlyRow(head, operator, "GET /api/me/export")).extracting(AuditRow::action, AuditRow::outcome, AuditRow::reason,
                AuditRow::patient).containsExactly("authorise", "denied", "role-not-admitted", null);
        Fixture vendor = fixtures().get(new Row(VENDOR, NOT_APPLICABLE, NA, NA));
        head = head();
        assertThat(get(vendor, "/fhir/Observation/" + vendor.observation).statusCode()).isEqualTo(403);
        assertThat(onlyRow(head, vendor, "GET /fhir/Observation/" + vendor.observation).reason()).isEqualTo("not-allowed-for-role");
    }

    private static Response get(Fixture f, String url) {
        return given().urlEncodingEnabled(false).auth().oauth2(f.token).get(url);
    }

    private AuditRow onlyRow(long head, Fixture f, String entryPoint) throws SQLException {
        List<AuditRow> rows = rowsAfter(head, f.subject, entryPoint, true);
        assertThat(rows).as("audit rows of %s at %s", f.subject, entryPoint).hasSize(1);
        return rows.get(0);
    }

    // --- the audit log

    /** The fields of an audit_event row a cell is judged by. */
    record AuditRow(String action, String outcome, String purpose, String reason, UUID patient, String resourceType, UUID emergencyAccess) {
    }

    private long head() throws SQLException {
        try (PreparedStatement ps = registry.connection().prepareStatement("SELECT coalesce(max(seq), 0) FROM audit_event");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * The caller's rows at this entry point after {@code head}. Refusals by Quarkus security are
     * recorded after the answer (AuditLog.recordLater), so when a row is {@code expected} this waits
     * for it; the policy's own rows are committed before the answer leaves.
     */
    private List<AuditRow> rowsAfter(long head, String subject, String entryPoint, boolean expected) throws SQLException {
        if (!expected) {
            return query(head, subject, entryPoint);
        }
        try {
            return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> query(head, subject, entryPoint), rows -> !rows.isEmpty());
        } catch (ConditionTimeoutException e) {
            return List.of();
        }
    }

    private List<AuditRow> query(long head, String subject, String entryPoint) throws SQLException {
        try (PreparedStatement ps = registry.connection().prepareStatement("""
                SELECT action, outcome, purpose, reason, patient_id, resource_type, emergency_access_id FROM audit_event
                 WHERE seq > ? AND subject = ? AND entry_point = ? ORDER BY seq""")) {
            ps.setLong(1, head);
            ps.setString(2, subject);
            ps.setString(3, entryPoint);
            List<AuditRow> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new AuditRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getObject(5, UUID.class),
                            rs.getString(6), rs.getObject(7, UUID.class)));
                }
            }
            return rows;
        }
    }

    private static String claim(String user, String name) {
        return String.valueOf(Tokens.issuer().claims(user).get(name));
    }

    private static String citizen(String fnr) {
        return "test-citizen-" + UUID.nameUUIDFromBytes(fnr.getBytes());
    }
}
