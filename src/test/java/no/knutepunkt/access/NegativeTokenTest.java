package no.knutepunkt.access;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import no.knutepunkt.testing.AuditTrail;
import no.knutepunkt.testing.ForgedTokens;
import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.Registry;
import no.knutepunkt.testing.TestIdentities;
import no.knutepunkt.testing.Tokens;
import no.knutepunkt.testing.VendorClient;
import no.knutepunkt.testing.VendorMessages;

/**
 * Every way a token can be wrong, against the endpoints that hand out patient data, each refused
 * with a clear answer and an audit record (security.md: "Tokens are validated strictly").
 * <p>
 * One patient, enrolled with a municipality in its care team and with readings, is read by a valid
 * clinician of that municipality (the control: 200). Each refusal case changes one thing of that
 * token — or of the patient's own ID-porten token, the second control — so the refusal is due to
 * that one thing. Tokens that are not genuine or do not say enough get 401 with a challenge;
 * genuine tokens used where they may not get 403. Each case also finds its {@code denied} row in
 * audit_event, with the reason the hub gives for it.
 * <p>
 * The arguments crossing into the Quarkus class loader are a case's name and an endpoint; the cases
 * themselves (token factories) live in {@link #REFUSED}, {@link #FORBIDDEN} and {@link #CONTROLS}.
 * The last test counts them and prints the table the README quotes.
 */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NegativeTokenTest {

    /** quarkus.oidc.*.token.lifespan-grace (AUTH_CLOCK_LEEWAY_SECONDS). */
    private static final long LEEWAY_SECONDS = 30;
    /** knutepunkt.auth.max-token-length. */
    private static final int MAX_TOKEN_LENGTH = 8192;
    private static final String HPR = "9170001";
    private static final String BLOCKED_HPR = "9170002";
    private static final String HPR_CLAIM = "helseid://claims/hpr/hpr_number";
    private static final String ORG_CLAIM = "helseid://claims/client/claims/orgnr_parent";
    private static final String PID_CLAIM = "helseid://claims/identity/pid";
    private static final String ASSURANCE_CLAIM = "helseid://claims/identity/assurance_level";
    private static final String CLINICIAN_SCOPE = "openid profile nhn:knutepunkt/clinician";
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    /** The three ways to patient data the suite knocks on; the audit log names each by method and path. */
    enum Endpoint {
        OBSERVATION_SEARCH("/fhir/Observation?patient=%s", "/fhir/Observation"),
        LASTN("/fhir/Observation/$lastn?patient=%s", "/fhir/Observation/$lastn"),
        PATIENT_READ("/fhir/Patient/%s", "/fhir/Patient/%s");

        private final String url;
        private final String path;

        Endpoint(String url, String path) {
            this.url = url;
            this.path = path;
        }

        String url(UUID patient) {
            return url.formatted(patient);
        }

        String entryPoint(UUID patient) {
            return "GET " + path.formatted(patient);
        }

        String shown() {
            return "GET " + url.formatted("{id}");
        }
    }

    /**
     * A case: what it sends as Authorization (null: no header at all), and the reason the audit row
     * must give (alternatives separated by |).
     */
    private record Case(Function<NegativeTokenTest, String> authorization, String reason) {
        String[] reasons() {
            return reason.split("\\|");
        }
    }

    /**
     * A kid the JWKS does not have: Quarkus refreshes the JWKS for it at most once per interval
     * (quarkus.oidc.token.forced-jwk-refresh-interval), and says why (unknown-key) only on the way
     * through that refresh; within the interval it refuses without detail (token-refused). Which one
     * a case meets depends on the tests before it, never on the token.
     */
    private static final String UNKNOWN_KEY = "unknown-key|token-refused";

    /** Tokens that are not genuine, or genuine but not saying enough about who holds them: 401. */
    private static final Map<String, Case> REFUSED = new LinkedHashMap<>();
    /** Genuine tokens of callers who may not see this patient: 403. */
    private static final Map<String, Case> FORBIDDEN = new LinkedHashMap<>();
    /** Genuine tokens that may, each as close to a refusal case as it can be: 200. */
    private static final Map<String, Case> CONTROLS = new LinkedHashMap<>();

    static {
        CONTROLS.put("valid clinician of the municipality in the care team", new Case(t -> bearer(t.signed(t.clinician())), null));
        CONTROLS.put("the patient themself (ID-porten, acr high)", new Case(t -> bearer(t.signed(t.citizen())), null));
        CONTROLS.put("clinician token expired 10 s ago (inside the 30 s leeway)", new Case(t -> {
            Map<String, Object> c = t.clinician();
            long now = Instant.now().getEpochSecond();
            c.put("iat", now - 3610);
            c.put("nbf", now - 3610);
            c.put("exp", now - 10);
            return bearer(t.signed(c));
        }, null));
        CONTROLS.put("typ written as the media type application/at+jwt", new Case(t -> {
            Map<String, Object> h = t.header();
            h.put("typ", "application/at+jwt");
            return bearer(Tokens.issuer().sign(h, t.clinician()));
        }, null));
        CONTROLS.put("clinician token padded to just under 8192 characters", new Case(
                t -> bearer(ForgedTokens.paddedTo(MAX_TOKEN_LENGTH, "padding", t.header(), t.clinician())), null));

        REFUSED.put("no Authorization header", new Case(t -> null, "no-credentials"));
        REFUSED.put("garbage, not a JWT", new Case(t -> "Bearer this-is-not-a-jwt", "token-refused"));
        REFUSED.put("Bearer with an empty value", new Case(t -> "Bearer ", "no-credentials"));
        REFUSED.put("alg=none (unsigned)", new Case(t -> bearer(ForgedTokens.unsigned(t.header(), t.clinician())), "token-refused"));
        REFUSED.put("HS256 with the issuer's RSA public key as HMAC secret (key confusion)",
                new Case(t -> bearer(ForgedTokens.hmacWithIssuerPublicKey(t.header(), t.clinician())), "disallowed-algorithm"));
        REFUSED.put("payload changed after signing (another HPR number)", new Case(t -> {
            Map<String, Object> other = t.clinician();
            other.put(HPR_CLAIM, "9170099");
            return bearer(ForgedTokens.withPayloadSwapped(t.signed(t.clinician()), other));
        }, "bad-signature"));
        REFUSED.put("unknown kid", new Case(t -> {
            Map<String, Object> h = t.header();
            h.put("kid", "no-such-key-" + RUN);
            return bearer(Tokens.issuer().sign(h, t.clinician()));
        }, UNKNOWN_KEY));
        REFUSED.put("signed by another RSA key under the issuer's kid",
                new Case(t -> bearer(ForgedTokens.signedByStranger(t.header(), t.clinician())), "bad-signature"));
        REFUSED.put("signed by another RSA key under a kid of its own", new Case(t -> {
            Map<String, Object> h = t.header();
            h.put("kid", "stranger-" + RUN);
            return bearer(ForgedTokens.signedByStranger(h, t.clinician()));
        }, UNKNOWN_KEY));
        REFUSED.put("wrong iss (HelseID's production issuer, not trusted here)", new Case(t -> {
            Map<String, Object> c = t.clinician();
            c.put("iss", "https://helseid-sts.nhn.no");
            return bearer(t.signed(c));
        }, "wrong-issuer"));
        REFUSED.put("wrong aud", new Case(t -> {
            Map<String, Object> c = t.clinician();
            c.put("aud", "nhn:some-other-api");
            return bearer(t.signed(c));
        }, "wrong-audience"));
        REFUSED.put("expired 60 s ago (beyond the 30 s leeway)", new Case(t -> {
            Map<String, Object> c = t.clinician();
            long now = Instant.now().getEpochSecond();
            c.put("iat", now - 3660);
            c.put("nbf", now - 3660);
            c.put("exp", now - 2 * LEEWAY_SECONDS);
            return bearer(t.signed(c));
        }, "expired"));
        REFUSED.put("nbf 120 s in the future (beyond the leeway)", new Case(t -> {
            Map<String, Object> c = t.clinician();
            c.put("nbf", Instant.now().getEpochSecond() + 4 * LEEWAY_SECONDS);
            return bearer(t.signed(c));
        }, "not-yet-valid"));
        REFUSED.put("iat missing", new Case(t -> {
            Map<String, Object> c = t.clinician();
            c.remove("iat");
            return bearer(t.signed(c));
        }, "no-issued-at"));
        REFUSED.put("typ JWT (an ID token's type, used as access token)", new Case(t -> {
            Map<String, Object> h = t.header();
            h.put("typ", "JWT");
            return bearer(Tokens.issuer().sign(h, t.clinician()));
        }, "wrong-token-type"));
        REFUSED.put("typ header missing", new Case(t -> {
            Map<String, Object> h = t.header();
            h.remove("typ");
            return bearer(Tokens.issuer().sign(h, t.clinician()));
        }, "wrong-token-type"));
        REFUSED.put("clinician without HPR number", new Case(t -> {
            Map<String, Object> c = t.clinician();
            c.remove(HPR_CLAIM);
            return bearer(t.signed(c));
        }, "missing-hpr"));
        REFUSED.put("HPR number not digits", new Case(t -> {
            Map<String, Object> c = t.clinician();
            c.put(HPR_CLAIM, "917OOO1");
            return bearer(t.signed(c));
        }, "invalid-hpr"));
        REFUSED.put("no organisation", new Case(t -> {
            Map<String, Object> c = t.clinician();
            c.remove(ORG_CLAIM);
            return bearer(t.signed(c));
        }, "missing-organisation"));
        REFUSED.put("organisation number failing mod-11", new Case(t -> {
            Map<String, Object> c = t.clinician();
            c.put(ORG_CLAIM, "111111112");
            return bearer(t.signed(c));
        }, "invalid-organisation"));
        REFUSED.put("organisation not registered in the hub", new Case(t -> {
            Map<String, Object> c = t.clinician();
            c.put(ORG_CLAIM, t.unregisteredOrgNumber);
            return bearer(t.signed(c));
        }, "unknown-organisation"));
        REFUSED.put("no role (scope without any nhn:knutepunkt/ value)", new Case(t -> {
            Map<String, Object> c = t.clinician();
            c.put("scope", "openid profile");
            return bearer(t.signed(c));
        }, "no-role"));
        REFUSED.put("HelseID person token with assurance level substantial", new Case(t -> {
            Map<String, Object> c = t.clinician();
            c.put(ASSURANCE_CLAIM, "substantial");
            return bearer(t.signed(c));
        }, "low-assurance"));
        REFUSED.put("ID-porten token with acr idporten-loa-substantial", new Case(t -> {
            Map<String, Object> c = t.citizen();
            c.put("acr", "idporten-loa-substantial");
            return bearer(t.signed(c));
        }, "low-assurance"));
        REFUSED.put("ID-porten token without pid", new Case(t -> {
            Map<String, Object> c = t.citizen();
            c.remove("pid");
            return bearer(t.signed(c));
        }, "missing-person"));
        REFUSED.put("ID-porten token whose pid fails the check digits", new Case(t -> {
            Map<String, Object> c = t.citizen();
            c.put("pid", t.fnrA.substring(0, 10) + ((t.fnrA.charAt(10) - '0' + 1) % 10));
            return bearer(t.signed(c));
        }, "invalid-person"));
        REFUSED.put("oversized: just over 8192 characters", new Case(
                t -> bearer(ForgedTokens.paddedTo(MAX_TOKEN_LENGTH + 4, "padding", t.header(), t.clinician())), "oversized-token"));
        REFUSED.put("vendor client and clinician roles at once", new Case(t -> {
            Map<String, Object> c = t.clinician();
            c.put("scope", "nhn:knutepunkt/ingest " + CLINICIAN_SCOPE);
            return bearer(t.signed(c));
        }, "mixed-roles"));

        FORBIDDEN.put("patient token used for another patient", new Case(t -> bearer(Tokens.patient(t.fnrB)), "not-allowed-for-role"));
        FORBIDDEN.put("ID-porten token carrying HelseID clinician claims, for another patient", new Case(t -> {
            Map<String, Object> c = t.citizen();
            c.put("pid", t.fnrB);
            c.put("scope", CLINICIAN_SCOPE);
            c.put(HPR_CLAIM, HPR);
            c.put(ORG_CLAIM, t.municipalityNumber);
            c.put(ASSURANCE_CLAIM, "high");
            return bearer(t.signed(c));
        }, "not-allowed-for-role"));
        FORBIDDEN.put("operator reading patient data", new Case(t -> bearer(Tokens.operator()), "not-allowed-for-role"));
        FORBIDDEN.put("clinician of another organisation", new Case(t -> {
            Map<String, Object> c = t.clinician();
            c.put(ORG_CLAIM, t.otherOrgNumber);
            return bearer(t.signed(c));
        }, "no-care-relation"));
        FORBIDDEN.put("clinician in the care team whom the patient has blocked", new Case(t -> {
            Map<String, Object> c = t.clinician();
            c.put(HPR_CLAIM, BLOCKED_HPR);
            c.put("sub", "test-clinician-" + BLOCKED_HPR);
            return bearer(t.signed(c));
        }, "blocked-by-patient"));
    }

    /** One line of the printed table. */
    private record Outcome(String group, String name, Endpoint endpoint, int status, String reason) {
    }

    private final List<Outcome> outcomes = new ArrayList<>();

    private Registry registry;
    private AuditTrail audit;
    String municipalityNumber;
    String otherOrgNumber;
    String unregisteredOrgNumber;
    String fnrA;
    String fnrB;
    UUID patientA;

    @BeforeAll
    void enrolPatient() throws Exception {
        registry = new Registry();
        audit = new AuditTrail(registry.connection());
        municipalityNumber = TestIdentities.orgNumber();
        otherOrgNumber = TestIdentities.orgNumber();
        unregisteredOrgNumber = TestIdentities.orgNumber();
        UUID municipality = registry.organisation(municipalityNumber, "Negativvik kommune", "municipality");
        registry.organisation(otherOrgNumber, "Annenby legesenter", "gp-practice");
        fnrA = TestIdentities.syntheticFnr();
        fnrB = TestIdentities.syntheticFnr();
        patientA = registry.patient(fnrA, "Nina", "Negativ");
        registry.patient(fnrB, "Per", "Andersen");
        OffsetDateTime since = OffsetDateTime.now(ZoneOffset.UTC).minusDays(7).withNano(0);
        UUID enrollment = registry.enrollment(patientA, municipality, since);
        execute("INSERT INTO enrollment_care_team (enrollment_id, organisation_id, role) VALUES (?, ?, 'follow-up-service')", enrollment,
                municipality);
        execute("""
                INSERT INTO patient_block (id, patient_id, hpr_number, note, created_at, created_by, created_by_role)
                VALUES (?, ?, ?, 'test: blocked by the patient', now(), 'test', 'patient')""", UUID.randomUUID(), patientA, BLOCKED_HPR);

        // A reading, so that the control's 200 is a Bundle with the patient's data in it.
        String vendor = "negative-" + RUN;
        String device = "NEG-" + RUN;
        registry.vendor(vendor, "canonical");
        registry.assign(enrollment, registry.device(vendor, device), since, null);
        try (VendorClient client = new VendorClient()) {
            client.publish(vendor, device, VendorMessages.canonical(UUID.randomUUID().toString(), device,
                    OffsetDateTime.now(ZoneOffset.ofHours(1)).minusMinutes(5).withNano(0), VendorMessages.spo2(95),
                    VendorMessages.pulse(71)));
            await().atMost(Duration.ofSeconds(30)).until(
                    () -> registry.count("SELECT count(*) FROM reading WHERE patient_id = ? AND state = 'stored'", patientA) == 2);
        }
    }

    @AfterAll
    void close() throws SQLException {
        registry.close();
    }

    // --- 200: the controls, so that each refusal below is due to the one thing its case breaks

    static Stream<Arguments> controls() {
        return cross(CONTROLS);
    }

    @Order(1)
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("controls")
    void controlIsAnswered(String name, Endpoint endpoint) throws Exception {
        long before = audit.head();
        Response r = get(endpoint, patientA, CONTROLS.get(name).authorization().apply(this));

        r.then().log().ifValidationFails().statusCode(200);
        if (endpoint == Endpoint.PATIENT_READ) {
            assertThat(r.jsonPath().getString("id")).isEqualTo(patientA.toString());
        } else {
            assertThat(r.jsonPath().getList("entry")).as("the patient's readings").isNotEmpty();
        }
        List<AuditTrail.Row> rows = audit.awaitAfter(before, row -> endpoint.entryPoint(patientA).equals(row.entryPoint()));
        assertThat(rows).extracting(AuditTrail.Row::outcome, AuditTrail.Row::patientId).containsOnly(tuple("allowed", patientA));
        outcomes.add(new Outcome("control", name, endpoint, r.statusCode(), "allowed"));
    }

    // --- 401: not genuine, or not saying enough to act on

    static Stream<Arguments> refusedTokens() {
        return cross(REFUSED);
    }

    @Order(2)
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("refusedTokens")
    void refusedTokenGets401AndIsAudited(String name, Endpoint endpoint) throws Exception {
        Case c = REFUSED.get(name);
        long before = audit.head();
        Response r = get(endpoint, patientA, c.authorization().apply(this));

        // Every discrepancy of the case at once: status, challenge and audit row.
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(r.statusCode()).as("status").isEqualTo(401);
        soft.assertThat(r.header("WWW-Authenticate")).as("a 401 says how to authenticate (WWW-Authenticate)").isNotNull()
                .startsWith("Bearer");
        List<AuditTrail.Row> rows = audit.awaitAfter(before, row -> "denied".equals(row.outcome()));
        soft.assertThat(rows).as("audit rows after seq " + before).hasSize(1);
        AuditTrail.Row row = rows.get(0);
        soft.assertThat(row.entryPoint()).as("audited entry point").isEqualTo(endpoint.entryPoint(patientA));
        soft.assertThat(row.reason()).as("audit reason").isIn((Object[]) c.reasons());
        soft.assertThat(row.patientId()).as("nobody was identified, so no patient is named").isNull();
        soft.assertAll();
        outcomes.add(new Outcome("401", name, endpoint, r.statusCode(), row.reason()));
    }

    /**
     * Far over the limit, the token never reaches the hub: Vert.x refuses a request whose headers
     * exceed quarkus.http.limits.max-header-size (32K) with 431 before any handler runs, so there is
     * no challenge and nothing to audit. A 401 is no better answer: the request was never read.
     * What is proven is that nothing was let through and that nothing was recorded for it: a
     * refusal audited after it (no header) is the first row after the noted head.
     */
    @Order(3)
    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void tokenFarOverTheHeaderLimitIsRefusedBeforeTheHub(Endpoint endpoint) throws Exception {
        String token = ForgedTokens.paddedTo(40 * 1024, "padding", header(), clinician());
        long before = audit.head();

        Response r = get(endpoint, patientA, bearer(token));

        r.then().log().ifValidationFails().statusCode(431);
        Response marker = get(endpoint, patientA, null);
        marker.then().statusCode(401);
        List<AuditTrail.Row> rows = audit.awaitAfter(before, row -> "denied".equals(row.outcome()));
        assertThat(rows.get(0).reason()).as("the first row after the 431 is the marker's").isEqualTo("no-credentials");
        assertThat(rows.get(0).entryPoint()).isEqualTo(endpoint.entryPoint(patientA));
        outcomes.add(new Outcome("431", "oversized: 40 KB, beyond the 32K header limit", endpoint, r.statusCode(),
                "none (never reached the hub)"));
    }

    // --- 403: genuine credentials of someone who may not see this patient

    static Stream<Arguments> forbiddenCallers() {
        return cross(FORBIDDEN);
    }

    /**
     * 403, not 401: the token is genuine and says who the caller is; signing in again would not
     * change the answer, which is what 401 would ask for (RFC 9110, 15.5.2 and 15.5.4).
     */
    @Order(4)
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("forbiddenCallers")
    void forbiddenCallerGets403AndIsAudited(String name, Endpoint endpoint) throws Exception {
        Case c = FORBIDDEN.get(name);
        long before = audit.head();
        Response r = get(endpoint, patientA, c.authorization().apply(this));

        r.then().log().ifValidationFails().statusCode(403);
        assertThat(r.jsonPath().getString("resourceType")).isEqualTo("OperationOutcome");
        AuditTrail.Row row = deniedRow(before, endpoint);
        assertThat(row.reason()).as("audit reason").isEqualTo(c.reason());
        assertThat(row.patientId()).isEqualTo(patientA);
        outcomes.add(new Outcome("403", name, endpoint, r.statusCode(), row.reason()));
    }

    /** Whatever a token says, an ID-porten token makes a patient, never a clinician. */
    @Order(5)
    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void idportenTokenWithHelseIdClaimsIsOnlyAPatient(Endpoint endpoint) throws Exception {
        long before = audit.head();
        get(endpoint, patientA, FORBIDDEN.get("ID-porten token carrying HelseID clinician claims, for another patient").authorization()
                .apply(this)).then().statusCode(403);
        AuditTrail.Row row = deniedRow(before, endpoint);
        assertThat(row.role()).isEqualTo("patient");
        assertThat(row.hprNumber()).isNull();
    }

    /** Asking about a patient who does not exist tells nothing: the answer is the forbidden one, byte for byte. */
    @Order(6)
    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void unknownPatientIsAnsweredExactlyLikeAForbiddenOne(Endpoint endpoint) throws Exception {
        String otherClinician = FORBIDDEN.get("clinician of another organisation").authorization().apply(this);
        Response forbidden = get(endpoint, patientA, otherClinician);
        UUID nobody = UUID.randomUUID();
        long before = audit.head();

        Response unknown = get(endpoint, nobody, otherClinician);

        assertThat(unknown.statusCode()).isEqualTo(forbidden.statusCode()).isEqualTo(403);
        assertThat(unknown.contentType()).isEqualTo(forbidden.contentType());
        assertThat(unknown.asString()).isEqualTo(forbidden.asString());
        AuditTrail.Row row = deniedRow(before, endpoint, nobody);
        assertThat(row.reason()).isEqualTo("no-such-patient");
        outcomes.add(new Outcome("403", "unknown patient id (answered like a forbidden one)", endpoint, unknown.statusCode(),
                row.reason()));
    }

    // --- the count and the table

    @Order(7)
    @Test
    void everyCaseWasRefusedAsSpecifiedAndTheTableIsPrinted() {
        Map<String, Long> endpointsPerRefusal = outcomes.stream().filter(o -> o.group().equals("401"))
                .collect(Collectors.groupingBy(Outcome::name, Collectors.counting()));
        long refusedEverywhere = REFUSED.keySet().stream()
                .filter(n -> endpointsPerRefusal.getOrDefault(n, 0L) == Endpoint.values().length).count();
        System.out.println(table());
        assertThat(refusedEverywhere).as("401 cases refused on every endpoint").isEqualTo(REFUSED.size()).isGreaterThanOrEqualTo(20);
        assertThat(outcomes.stream().filter(o -> o.group().equals("403")).map(Outcome::name).distinct().count())
                .as("403 cases").isEqualTo(FORBIDDEN.size() + 1L);
    }

    /** Markdown: one line per case, when all three endpoints answered alike (else one per endpoint). */
    private String table() {
        StringBuilder t = new StringBuilder("\nNegative-token suite: " + Stream.of(Endpoint.values()).map(Endpoint::shown)
                .collect(Collectors.joining(", ")) + "\n\n| # | case | status | audit reason |\n|---|---|---|---|\n");
        Map<String, List<Outcome>> byCase = outcomes.stream()
                .collect(Collectors.groupingBy(o -> o.group() + "|" + o.name(), LinkedHashMap::new, Collectors.toList()));
        int n = 0;
        for (List<Outcome> same : byCase.values()) {
            Outcome first = same.get(0);
            boolean alike = same.stream().allMatch(o -> o.status() == first.status() && o.reason().equals(first.reason()));
            if (alike) {
                t.append("| ").append(++n).append(" | ").append(first.name()).append(" | ").append(first.status()).append(" | ")
                        .append(first.reason()).append(" |\n");
            } else {
                for (Outcome o : same) {
                    t.append("| ").append(++n).append(" | ").append(o.name()).append(" (").append(o.endpoint().shown()).append(") | ")
                            .append(o.status()).append(" | ").append(o.reason()).append(" |\n");
                }
            }
        }
        return t.toString();
    }

    // --- requests, tokens, rows

    private static Stream<Arguments> cross(Map<String, Case> cases) {
        return cases.keySet().stream().flatMap(name -> Stream.of(Endpoint.values()).map(e -> Arguments.of(name, e)));
    }

    private static Response get(Endpoint endpoint, UUID patient, String authorization) {
        RequestSpecification request = given().urlEncodingEnabled(false);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request.get(endpoint.url(patient));
    }

    /** The one denied row this request left; a refusal recorded twice, or not at all, fails here. */
    private AuditTrail.Row deniedRow(long before, Endpoint endpoint) {
        return deniedRow(before, endpoint, patientA);
    }

    private AuditTrail.Row deniedRow(long before, Endpoint endpoint, UUID patient) {
        List<AuditTrail.Row> rows = audit.awaitAfter(before, row -> "denied".equals(row.outcome()));
        assertThat(rows).as("audit rows after seq " + before).hasSize(1);
        AuditTrail.Row row = rows.get(0);
        assertThat(row.entryPoint()).isEqualTo(endpoint.entryPoint(patient));
        return row;
    }

    private static String bearer(String token) {
        return "Bearer " + token;
    }

    /** The issuer's access-token header: RS256, its kid, typ at+jwt. */
    Map<String, Object> header() {
        return Tokens.header();
    }

    String signed(Map<String, Object> claims) {
        return Tokens.issuer().sign(Tokens.header(), claims);
    }

    /** A valid clinician of the municipality in the patient's care team, as HelseID would mint it. */
    Map<String, Object> clinician() {
        Map<String, Object> c = new HashMap<>(Tokens.issuer().claims("nurse"));
        c.put(ORG_CLAIM, municipalityNumber);
        c.put(HPR_CLAIM, HPR);
        c.put("sub", "test-clinician-" + HPR);
        c.put("name", "Test Kliniker " + HPR);
        c.put(PID_CLAIM, TestIdentities.syntheticFnr());
        return c;
    }

    /** The patient's own ID-porten token. */
    Map<String, Object> citizen() {
        Map<String, Object> c = new HashMap<>(Tokens.issuer().claims("patient"));
        c.put("pid", fnrA);
        c.put("sub", "test-citizen-" + RUN);
        return c;
    }

    private void execute(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = registry.connection().prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }
}
