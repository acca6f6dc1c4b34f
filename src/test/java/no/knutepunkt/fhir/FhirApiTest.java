package no.knutepunkt.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.inject.Inject;
import javax.sql.DataSource;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import no.knutepunkt.access.AccessPolicy;
import no.knutepunkt.common.FhirTime;
import no.knutepunkt.common.Kind;
import no.knutepunkt.common.ObservationKind;
import no.knutepunkt.common.Reading;
import no.knutepunkt.common.Value;
import no.knutepunkt.registry.DeviceRouting.Subject;
import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.TestIdentities;
import no.knutepunkt.testing.Tokens;

@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FhirApiTest {

    static final String VENDOR = "fhir-api-test";
    static final String ORG_NUMBER = "974760673";
    static final String ORG_NAME = "Testkommune helse og omsorg";
    static final String FNR_OID = "urn:oid:2.16.578.1.12.4.1.4.1";
    static final String DNR_OID = "urn:oid:2.16.578.1.12.4.1.4.2";
    static final String NURSE_HPR = "9100301";
    /** Patient A's readings: one every 8 hours from here, kinds in turn. */
    static final OffsetDateTime A_START = OffsetDateTime.parse("2026-03-01T08:00:00+01:00");
    static final ObservationKind[] A_KINDS = {ObservationKind.BLOOD_PRESSURE, ObservationKind.HEART_RATE,
            ObservationKind.OXYGEN_SATURATION, ObservationKind.BODY_WEIGHT, ObservationKind.BLOOD_GLUCOSE,
            ObservationKind.BODY_TEMPERATURE};
    static final int A_COUNT = 30;
    /** Patient C: a year of 6 kinds, 4 times a day. */
    static final int C_DAYS = 365;
    static final ObservationKind[] C_KINDS = {ObservationKind.BLOOD_PRESSURE, ObservationKind.HEART_RATE,
            ObservationKind.OXYGEN_SATURATION, ObservationKind.BODY_WEIGHT, ObservationKind.BODY_TEMPERATURE,
            ObservationKind.RESPIRATORY_RATE};

    @Inject
    DataSource db;

    @TestHTTPResource("/fhir")
    URL fhirUrl;

    IGenericClient client;
    final ObservationWriter writer = new ObservationWriter();
    final String runTag = UUID.randomUUID().toString().substring(0, 8);

    UUID orgId = UUID.randomUUID();
    Enrolled a;
    Enrolled b;
    Enrolled c;
    UUID deviceFhirId = UUID.randomUUID();
    long deviceId;
    /** Patient A's Observation ids, newest first, as the API must order them. */
    List<String> aNewestFirst = new ArrayList<>();
    Map<String, ObservationKind> aKinds = new java.util.HashMap<>();
    UUID parkedId = UUID.randomUUID();

    record Enrolled(UUID id, UUID enrollment, Subject subject) {
    }

    @BeforeAll
    void seed() throws SQLException {
        client = FhirValidation.context().newRestfulGenericClient(fhirUrl.toString());
        // Every call as a nurse of the municipality whose enrollments these patients are in.
        client.registerInterceptor(new BearerTokenAuthInterceptor(Tokens.clinician(ORG_NUMBER, NURSE_HPR)));
        // Numbers unique to this class's run, so reruns against one database never collide.
        int n = Math.abs(runTag.hashCode() % 300);
        try (Connection cn = db.getConnection()) {
            cn.setAutoCommit(false);
            exec(cn, "INSERT INTO organisation (id, org_number, name, kind) VALUES (?, ?, ?, 'municipality') ON CONFLICT (org_number) DO NOTHING",
                    orgId, ORG_NUMBER, ORG_NAME);
            orgId = one(cn, "SELECT id FROM organisation WHERE org_number = ?", ORG_NUMBER);
            exec(cn, "INSERT INTO vendor (id, name, format) VALUES (?, 'FHIR API Test Vendor AS', 'canonical') ON CONFLICT DO NOTHING", VENDOR);
            exec(cn, "INSERT INTO vendor (id, name, format) VALUES ('medgw', 'MedGW', 'medgw') ON CONFLICT DO NOTHING");
            exec(cn, "INSERT INTO device (fhir_id, vendor_id, serial, model, kinds) VALUES (?, ?, ?, 'BP-7', '{bp,pulse}')",
                    deviceFhirId, VENDOR, "NT-" + runTag);
            deviceId = one(cn, "SELECT id FROM device WHERE fhir_id = ?", deviceFhirId);
            a = patient(cn, "fnr", TestIdentities.fodselsnummer(LocalDate.of(1950, 4, 12), n), "Kari", "Nordmann");
            b = patient(cn, "dnr", TestIdentities.dNummer(LocalDate.of(1962, 9, 3), n), "Ola", "Gjest");
            c = patient(cn, "fnr", TestIdentities.fodselsnummer(LocalDate.of(1944, 12, 30), n), "Per", "Hansen");

            int rows = 0;
            try (PreparedStatement ps = cn.prepareStatement(INSERT_READING)) {
                for (int i = 0; i < A_COUNT; i++) {
                    ObservationKind kind = A_KINDS[i % A_KINDS.length];
                    UUID id = UUID.randomUUID();
                    add(ps, id, a, reading(kind, "a" + i, A_START.plusHours(8L * i), i));
                    aNewestFirst.add(0, id.toString());
                    aKinds.put(id.toString(), kind);
                }
                for (int i = 0; i < 3; i++) {
                    add(ps, UUID.randomUUID(), b, reading(ObservationKind.BODY_WEIGHT, "b" + i, A_START.plusDays(i), i));
                }
                ps.executeBatch();
                OffsetDateTime cStart = OffsetDateTime.parse("2025-06-01T06:00:00Z");
                for (int day = 0; day < C_DAYS; day++) {
                    for (int slot = 0; slot < 4; slot++) {
                        for (ObservationKind kind : C_KINDS) {
                            add(ps, UUID.randomUUID(), c, reading(kind, "c" + day + "-" + slot, cStart.plusDays(day).plusHours(4L * slot), day));
                            if (++rows % 2000 == 0) {
                                ps.executeBatch();
                            }
                        }
                    }
                }
                ps.executeBatch();
            }
            exec(cn, """
                    INSERT INTO reading (id, vendor_id, identifier, device_serial, loinc, effective, content_key, kind, state,
                                         received_at, inbound_message_id, parked_reading, parked_reason)
                    VALUES (?, ?, ?, 'UNKNOWN-1', '8867-4', now(), '70', 'pulse', 'parked', now(), ?, '{}', 'unknown device')""",
                    parkedId, VENDOR, "parked-" + runTag, UUID.randomUUID());
            // Counted as ingest counts them, so that the counts still reconcile with the rows (IngestSmokeTest).
            count(cn, VENDOR, A_COUNT + 3 + rows, 1);
            cn.commit();
        }
        // As the schema's owner: only the owner may ANALYZE a table, and for the hub's own role
        // PostgreSQL skips it with a mere warning, leaving the planner without the year of readings.
        try (Connection owner = DriverManager.getConnection(HubTestResource.jdbcUrl(), HubTestResource.dbOwner(),
                HubTestResource.dbOwnerPassword()); Statement s = owner.createStatement()) {
            s.execute("ANALYZE reading");
        }
    }

    static final String INSERT_READING = """
            INSERT INTO reading (id, vendor_id, identifier, device_serial, loinc, effective, content_key, kind, state, received_at,
                                 inbound_message_id, device_id, patient_id, enrollment_id, observation)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'stored', ?, ?, ?, ?, ?, ?)""";

    void add(PreparedStatement ps, UUID id, Enrolled p, Reading r) throws SQLException {
        OffsetDateTime issued = r.effective().plusSeconds(3);
        ps.setObject(1, id);
        ps.setString(2, VENDOR);
        ps.setString(3, r.key());
        ps.setString(4, r.device());
        ps.setString(5, r.kind().primaryLoinc());
        ps.setObject(6, r.effective());
        ps.setString(7, r.contentKey());
        ps.setString(8, r.kind().key());
        ps.setObject(9, issued);
        ps.setObject(10, UUID.randomUUID());
        ps.setLong(11, deviceId);
        ps.setObject(12, p.id());
        ps.setObject(13, p.enrollment());
        ps.setString(14, writer.write(id, VENDOR, r, p.subject(), null, issued, false));
        ps.addBatch();
    }

    Reading reading(ObservationKind kind, String message, OffsetDateTime at, int i) {
        List<Value> values = switch (kind) {
            case BLOOD_PRESSURE -> List.of(Value.exact(Kind.SYSTOLIC, BigDecimal.valueOf(120 + i % 30)),
                    Value.exact(Kind.DIASTOLIC, BigDecimal.valueOf(70 + i % 15)));
            case HEART_RATE -> List.of(Value.exact(Kind.PULSE, BigDecimal.valueOf(60 + i % 40)));
            case OXYGEN_SATURATION -> List.of(Value.exact(Kind.SPO2, BigDecimal.valueOf(90 + i % 10)));
            case BODY_WEIGHT -> List.of(Value.exact(Kind.WEIGHT, new BigDecimal("80.0").add(BigDecimal.valueOf(i % 20, 1))));
            case BODY_TEMPERATURE -> List.of(Value.exact(Kind.TEMPERATURE, new BigDecimal("36.5").add(BigDecimal.valueOf(i % 15, 1))));
            case RESPIRATORY_RATE -> List.of(Value.exact(Kind.RESPIRATORY_RATE, BigDecimal.valueOf(12 + i % 8)));
            case BLOOD_GLUCOSE -> List.of(Value.exact(Kind.GLUCOSE, new BigDecimal("5.0").add(BigDecimal.valueOf(i % 30, 1))));
        };
        return new Reading(runTag + "-" + message + "#" + kind.key(), kind, values, "NT-" + runTag, "BP-7", at, null, false);
    }

    Enrolled patient(Connection cn, String system, String number, String given, String family) throws SQLException {
        UUID id = UUID.randomUUID();
        UUID enrollment = UUID.randomUUID();
        exec(cn, "INSERT INTO patient (id, identifier_system, identifier, given_name, family_name) VALUES (?, ?, ?, ?, ?)",
                id, system, number, given, family);
        exec(cn, """
                INSERT INTO enrollment (id, patient_id, programme, responsible_organisation_id, started_at)
                VALUES (?, ?, 'copd', ?, '2025-01-01T00:00:00Z')""", enrollment, id, orgId);
        // The municipality follows the patient itself: its nurse, the API's caller here, is in the care team.
        exec(cn, "INSERT INTO enrollment_care_team (enrollment_id, organisation_id, role) VALUES (?, ?, 'follow-up-service')",
                enrollment, orgId);
        return new Enrolled(id, enrollment, new Subject(id, system, number, given + " " + family, ORG_NUMBER, ORG_NAME));
    }

    static void count(Connection cn, String vendor, long stored, long parked) throws SQLException {
        exec(cn, "INSERT INTO reading_tally_delta (vendor_id, received, stored, duplicate, parked, dead_lettered) VALUES (?, ?, ?, 0, ?, 0)",
                vendor, stored + parked, stored, parked);
    }

    static void exec(Connection cn, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = cn.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.executeUpdate();
        }
    }

    @SuppressWarnings("unchecked")
    static <T> T one(Connection cn, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = cn.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return (T) rs.getObject(1);
            }
        }
    }

    // --- helpers ---

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    Bundle search(String query) {
        return client.search().byUrl("Observation?" + query).returnBundle(Bundle.class).execute();
    }

    /** Every Observation of a search, following next links to the end. */
    List<Observation> all(String query) {
        List<Observation> out = new ArrayList<>();
        Bundle page = search(query);
        while (true) {
            page.getEntry().forEach(e -> out.add((Observation) e.getResource()));
            if (page.getLink(Bundle.LINK_NEXT) == null) {
                return out;
            }
            page = client.loadPage().next(page).execute();
        }
    }

    static List<String> ids(List<Observation> os) {
        return os.stream().map(o -> o.getIdElement().getIdPart()).toList();
    }

    static List<String> ids(Bundle b) {
        return b.getEntry().stream().map(e -> e.getResource().getIdElement().getIdPart()).toList();
    }

    List<String> aIdsOf(ObservationKind... kinds) {
        Set<ObservationKind> wanted = Set.of(kinds);
        return aNewestFirst.stream().filter(id -> wanted.contains(aKinds.get(id))).toList();
    }

    // --- reads ---

    @Test
    void readsAStoredObservationAsItWasStored() throws SQLException {
        String id = aNewestFirst.get(3);
        Observation o = client.read().resource(Observation.class).withId(id).execute();
        String stored;
        try (Connection cn = db.getConnection()) {
            stored = one(cn, "SELECT observation FROM reading WHERE id = ?", UUID.fromString(id));
        }
        Observation expected = FhirValidation.context().newJsonParser().parseResource(Observation.class, stored);
        assertThat(o.getIdElement().getIdPart()).isEqualTo(id);
        o.setIdElement(o.getIdElement().toUnqualifiedVersionless());
        expected.setIdElement(expected.getIdElement().toUnqualifiedVersionless());
        // The client may add meta it learns from the response (none expected); compare the clinical content.
        assertThat(o.equalsDeep(expected)).isTrue();
        assertThat(FhirValidation.errors(o)).isEmpty();
    }

    @Test
    void unknownOrParkedOrMalformedObservationIdsAre404() {
        for (String id : List.of(UUID.randomUUID().toString(), parkedId.toString(), "not-a-uuid")) {
            assertThatThrownBy(() -> client.read().resource(Observation.class).withId(id).execute())
                    .as(id).isInstanceOf(ResourceNotFoundException.class);
        }
    }

    // --- search: who ---

    @Test
    void searchByPatientLogicalIdInBothFormsNewestFirst() {
        List<Observation> found = all("patient=" + enc("Patient/" + a.id()) + "&_count=100");
        assertThat(ids(found)).isEqualTo(aNewestFirst);
        found.forEach(o -> assertThat(FhirValidation.errors(o)).as(o.getId()).isEmpty());
        assertThat(ids(all("patient=" + a.id() + "&_count=100"))).isEqualTo(aNewestFirst);
        assertThat(ids(all("subject=" + enc("Patient/" + a.id()) + "&_count=100"))).isEqualTo(aNewestFirst);
    }

    @Test
    void searchByPatientIdentifierChainWithTheRightOid() {
        String aFnr = a.subject().identifier();
        String bDnr = b.subject().identifier();
        assertThat(ids(all("patient.identifier=" + enc(FNR_OID + "|" + aFnr) + "&_count=100"))).isEqualTo(aNewestFirst);
        assertThat(all("subject.identifier=" + enc(DNR_OID + "|" + bDnr))).hasSize(3);
        // A fødselsnummer OID with a D-nummer is nobody, and asking about nobody is refused as asking
        // about a patient one may not see (it was an empty Bundle before the access policy).
        assertThatThrownBy(() -> all("subject.identifier=" + enc(FNR_OID + "|" + bDnr)))
                .isInstanceOf(ForbiddenOperationException.class);
        // The number alone is enough.
        assertThat(all("subject.identifier=" + enc(bDnr))).hasSize(3);
    }

    @Test
    void searchByPatientIdentifierModifier() {
        String aFnr = a.subject().identifier();
        assertThat(ids(all("patient:identifier=" + enc(FNR_OID + "|" + aFnr) + "&_count=100"))).isEqualTo(aNewestFirst);
    }

    @Test
    void patientAndSubjectMustAgree() {
        assertThat(all("patient=" + a.id() + "&subject=" + b.id())).isEmpty();
        assertThat(all("patient=" + b.id() + "&subject=" + enc("Patient/" + b.id()))).hasSize(3);
    }

    /**
     * An unknown patient is refused (403) exactly as a patient outside the caller's care teams is:
     * asking tells nothing. Before the access policy an unknown patient found an empty Bundle.
     */
    @Test
    void anUnknownPatientIsRefusedAsAForbiddenOneIs() throws SQLException {
        UUID outsider = UUID.randomUUID();
        try (Connection cn = db.getConnection()) {
            exec(cn, "INSERT INTO patient (id, identifier_system, identifier, given_name, family_name) VALUES (?, 'fnr', ?, 'Ute', 'Andre')",
                    outsider, TestIdentities.syntheticFnr());
        }
        for (String patient : List.of(UUID.randomUUID().toString(), "not-a-uuid", outsider.toString())) {
            assertThatThrownBy(() -> search("patient=" + patient)).as(patient).isInstanceOf(ForbiddenOperationException.class);
        }
    }

    @Test
    void searchByObservationIdentifier() {
        String key = runTag + "-a4#" + ObservationKind.BLOOD_GLUCOSE.key();
        String system = "https://knutepunkt.no/fhir/vendor/" + VENDOR + "/message";
        List<Observation> found = all("identifier=" + enc(system + "|" + key));
        assertThat(found).singleElement().satisfies(o -> assertThat(o.getIdentifierFirstRep().getValue()).isEqualTo(key));
        assertThat(ids(found)).containsExactly(aNewestFirst.get(A_COUNT - 1 - 4));
        assertThat(all("identifier=" + enc(key))).hasSize(1);
        assertThat(all("identifier=" + enc("https://knutepunkt.no/fhir/vendor/medgw/message|" + key))).isEmpty();
        assertThat(all("identifier=" + enc("urn:other|" + key))).isEmpty();
        assertThat(all("identifier=" + enc(key) + "&patient=" + b.id())).isEmpty();
        assertThat(all("identifier=" + enc(key) + "&patient=" + a.id())).hasSize(1);
    }

    /**
     * Two vendors' devices may well use the same message identifier. A search by identifier alone
     * finds only the Observations of patients the caller may see: the other patient's, newer and so
     * first in the search's order, is neither on the page nor behind a next link of an empty one.
     */
    @Test
    void anIdentifierSearchShowsNothingOfAnotherPatient() throws SQLException {
        String key = "shared-" + runTag + "#" + ObservationKind.HEART_RATE.key();
        UUID outsider = UUID.randomUUID();
        Enrolled d;
        UUID theirs = UUID.randomUUID();
        UUID ours = UUID.randomUUID();
        String outsiderFnr = TestIdentities.syntheticFnr();
        OffsetDateTime at = OffsetDateTime.parse("2025-11-02T08:00:00Z");
        try (Connection cn = db.getConnection()) {
            // A patient of this test's own in the caller's care team, so that the other tests' counts stay as they are.
            d = patient(cn, "fnr", TestIdentities.syntheticFnr(), "Dag", "Delt");
            exec(cn, "INSERT INTO patient (id, identifier_system, identifier, given_name, family_name) VALUES (?, 'fnr', ?, 'Ute', 'Andre')",
                    outsider, outsiderFnr);
            Reading other = new Reading(key, ObservationKind.HEART_RATE, List.of(Value.exact(Kind.PULSE, BigDecimal.valueOf(88))), "MG-" + runTag,
                    null, at.plusHours(1), null, false);
            exec(cn, """
                    INSERT INTO reading (id, vendor_id, identifier, device_serial, loinc, effective, content_key, kind, state, received_at,
                                         inbound_message_id, patient_id, observation)
                    VALUES (?, 'medgw', ?, ?, ?, ?, ?, ?, 'stored', ?, ?, ?, ?)""",
                    theirs, key, other.device(), other.kind().primaryLoinc(), other.effective(), other.contentKey(), other.kind().key(),
                    other.effective(), UUID.randomUUID(), outsider, writer.write(theirs, "medgw",
                            other, new Subject(outsider, "fnr", outsiderFnr, "Ute Andre", ORG_NUMBER, ORG_NAME), null, other.effective(), false));
            try (PreparedStatement ps = cn.prepareStatement(INSERT_READING)) {
                add(ps, ours, d, new Reading(key, ObservationKind.HEART_RATE, List.of(Value.exact(Kind.PULSE, BigDecimal.valueOf(64))),
                        "NT-" + runTag, "BP-7", at, null, false));
                ps.executeBatch();
            }
            count(cn, VENDOR, 1, 0);
            count(cn, "medgw", 1, 0);
        }
        Bundle page = search("identifier=" + enc(key) + "&_count=1");
        assertThat(page.getEntry()).extracting(e -> e.getResource().getIdElement().getIdPart()).containsExactly(ours.toString());
        assertThat(page.getLink(Bundle.LINK_NEXT)).isNull();
        assertThat(ids(all("identifier=" + enc(key)))).containsExactly(ours.toString());
    }

    @Test
    void searchWithoutPatientOrIdentifierIsRefused() {
        assertThatThrownBy(() -> search("code=8867-4")).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> search("")).isInstanceOf(InvalidRequestException.class);
    }

    // --- search: what ---

    @Test
    void searchByCodeInEverySystem() {
        String p = "patient=" + a.id() + "&_count=100&code=";
        assertThat(ids(all(p + "8867-4"))).isEqualTo(aIdsOf(ObservationKind.HEART_RATE));
        assertThat(ids(all(p + enc("http://loinc.org|59408-5")))).isEqualTo(aIdsOf(ObservationKind.OXYGEN_SATURATION));
        assertThat(ids(all(p + enc("http://loinc.org|2708-6")))).isEqualTo(aIdsOf(ObservationKind.OXYGEN_SATURATION));
        assertThat(ids(all(p + enc("http://snomed.info/sct|27113001")))).isEqualTo(aIdsOf(ObservationKind.BODY_WEIGHT));
        assertThat(ids(all(p + enc("urn:oid:2.16.578.1.12.4.1.1.7280|NPU02187")))).isEqualTo(aIdsOf(ObservationKind.BLOOD_GLUCOSE));
        assertThat(ids(all(p + enc("8867-4,29463-7"))))
                .isEqualTo(aIdsOf(ObservationKind.HEART_RATE, ObservationKind.BODY_WEIGHT));
        // A component's code finds the panel that carries it.
        assertThat(ids(all(p + "8480-6"))).isEqualTo(aIdsOf(ObservationKind.BLOOD_PRESSURE));
        assertThat(all(p + "0000-0")).isEmpty();
        assertThat(all(p + enc("http://snomed.info/sct|8867-4"))).isEmpty();
        assertThat(aIdsOf(ObservationKind.HEART_RATE)).hasSize(A_COUNT / A_KINDS.length);
    }

    @Test
    void searchByCategory() {
        String p = "patient=" + a.id() + "&_count=100&category=";
        assertThat(all(p + "vital-signs")).hasSize(A_COUNT);
        assertThat(all(p + enc("http://terminology.hl7.org/CodeSystem/observation-category|vital-signs"))).hasSize(A_COUNT);
        assertThat(all(p + "laboratory")).isEmpty();
    }

    // --- search: when ---

    @Test
    void searchByDateRangesAndPrefixes() {
        String p = "patient=" + a.id() + "&_count=100&";
        // A's readings: 2026-03-01T08:00+01:00 + 8 h * i, i < 30, i.e. 07:00Z, 15:00Z, 23:00Z each day from 03-01.
        Instant t0 = A_START.toInstant();
        // One Oslo day (UTC+1 in March) holds the readings at 08:00, 16:00 and 00:00 local, i.e. 3 per day.
        assertThat(all(p + "date=2026-03-02")).extracting(o -> o.getEffectiveDateTimeType().getValue().toInstant())
                .allSatisfy(t -> assertThat(t).isBetween(Instant.parse("2026-03-01T23:00:00Z"), Instant.parse("2026-03-02T22:59:59Z")))
                .hasSize(3);
        // Inclusive and exclusive bounds at the exact instant of reading 3 (2026-03-02T08:00+01:00).
        Instant third = t0.plusSeconds(3 * 8 * 3600);
        String at = enc(FhirTime.format(OffsetDateTime.ofInstant(third, ZoneOffset.ofHours(1))));
        assertThat(at).contains("08%3A00%3A00%2B01%3A00");
        assertThat(all(p + "date=ge" + at)).hasSize(A_COUNT - 3);
        assertThat(all(p + "date=gt" + at)).hasSize(A_COUNT - 4);
        assertThat(all(p + "date=lt" + at)).hasSize(3);
        assertThat(all(p + "date=le" + at)).hasSize(4);
        assertThat(all(p + "date=" + at)).hasSize(1);
        // The same instant written in UTC.
        assertThat(all(p + "date=" + enc(third.toString()))).hasSize(1);
        // A range: [day 2, day 4) local = readings 3..8.
        assertThat(all(p + "date=ge2026-03-02&date=lt2026-03-04")).hasSize(6);
        // gt a day starts after that whole day: with local midnight of 03-02, reading 2.
        assertThat(all(p + "date=gt2026-03-01")).hasSize(A_COUNT - 2);
        assertThat(all(p + "date=le2026-03")).hasSize(A_COUNT);
        assertThat(all(p + "date=lt2026-03-01")).isEmpty();
        assertThatThrownBy(() -> search(p + "date=ne2026-03-01")).isInstanceOf(InvalidRequestException.class);
    }

    // --- order and paging ---

    @Test
    void sortByDateBothWays() {
        List<String> oldestFirst = new ArrayList<>(aNewestFirst);
        java.util.Collections.reverse(oldestFirst);
        assertThat(ids(all("patient=" + a.id() + "&_count=100&_sort=date"))).isEqualTo(oldestFirst);
        assertThat(ids(all("patient=" + a.id() + "&_count=100&_sort=-date"))).isEqualTo(aNewestFirst);
        assertThatThrownBy(() -> search("patient=" + a.id() + "&_sort=code")).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void pagesForwardAndBackAddUpInOrder() {
        Bundle first = search("patient=" + a.id() + "&_count=7");
        List<Bundle> pages = new ArrayList<>();
        pages.add(first);
        assertThat(first.getLink(Bundle.LINK_PREV)).isNull();
        Bundle page = first;
        while (page.getLink(Bundle.LINK_NEXT) != null) {
            page = client.loadPage().next(page).execute();
            pages.add(page);
        }
        assertThat(pages).extracting(p -> p.getEntry().size()).containsExactly(7, 7, 7, 7, 2);
        List<String> forward = pages.stream().flatMap(p -> ids(p).stream()).toList();
        assertThat(forward).isEqualTo(aNewestFirst);
        // The next links must not carry the patient's number, only opaque ids.
        assertThat(pages.get(0).getLink(Bundle.LINK_NEXT).getUrl()).doesNotContain(a.subject().identifier());

        // And back from the last page, the same pages in reverse.
        List<List<String>> backwards = new ArrayList<>();
        backwards.add(ids(page));
        while (page.getLink(Bundle.LINK_PREV) != null) {
            page = client.loadPage().previous(page).execute();
            backwards.add(ids(page));
        }
        java.util.Collections.reverse(backwards);
        assertThat(backwards).isEqualTo(pages.stream().map(FhirApiTest::ids).toList());
    }

    @Test
    void aReadingStoredWhilePagingNeitherRepeatsNorShiftsPages() throws SQLException {
        Enrolled d;
        try (Connection cn = db.getConnection()) {
            d = patient(cn, "fnr", TestIdentities.fodselsnummer(LocalDate.of(1971, 1, 1), Math.abs(runTag.hashCode() % 300)), "Eva", "Li");
            try (PreparedStatement ps = cn.prepareStatement(INSERT_READING)) {
                for (int i = 0; i < 10; i++) {
                    add(ps, UUID.randomUUID(), d, reading(ObservationKind.HEART_RATE, "d" + i, A_START.plusHours(i), i));
                }
                ps.executeBatch();
            }
        }
        Bundle page = search("patient=" + d.id() + "&_count=4");
        List<String> seen = new ArrayList<>(ids(page));
        try (Connection cn = db.getConnection(); PreparedStatement ps = cn.prepareStatement(INSERT_READING)) {
            add(ps, UUID.randomUUID(), d, reading(ObservationKind.HEART_RATE, "d-new", A_START.plusDays(1), 99));
            ps.executeBatch();
        }
        while (page.getLink(Bundle.LINK_NEXT) != null) {
            page = client.loadPage().next(page).execute();
            seen.addAll(ids(page));
        }
        assertThat(seen).hasSize(10).doesNotHaveDuplicates();
    }

    @Test
    void offsetPagingIsRefusedRatherThanLoopingOnTheFirstPage() {
        assertThatThrownBy(() -> search("patient=" + a.id() + "&_offset=7")).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void countIsCappedAndDefaults() {
        assertThat(search("patient=" + c.id()).getEntry()).hasSize(50);
        assertThat(search("patient=" + c.id() + "&_count=5000").getEntry()).hasSize(1000);
    }

    @Test
    void aForgedOrStalePageLinkIsGoneNotAnError() {
        assertThatThrownBy(() -> client.search().byUrl(fhirUrl + "?_getpages=bm9wZQ&_pageId=x").returnBundle(Bundle.class).execute())
                .isInstanceOf(ca.uhn.fhir.rest.server.exceptions.ResourceGoneException.class);
    }

    // --- $lastn ---

    @Test
    void lastnGivesTheLatestOfEachKind() {
        Parameters in = new Parameters();
        in.addParameter().setName("patient").setValue(new StringType("Patient/" + a.id()));
        Bundle latest = client.operation().onType(Observation.class).named("$lastn").withParameters(in)
                .useHttpGet().returnResourceType(Bundle.class).execute();
        Map<ObservationKind, String> expected = new java.util.EnumMap<>(ObservationKind.class);
        for (String id : aNewestFirst) {
            expected.putIfAbsent(aKinds.get(id), id);
        }
        assertThat(latest.getType()).isEqualTo(Bundle.BundleType.SEARCHSET);
        assertThat(ids(latest)).containsExactlyInAnyOrderElementsOf(expected.values());
        assertThat(latest.getTotal()).isEqualTo(A_KINDS.length);
        latest.getEntry().forEach(e -> assertThat(FhirValidation.errors(e.getResource())).isEmpty());
    }

    @Test
    void lastnWithCodeAndMax() {
        Bundle two = client.search().byUrl(fhirUrl + "/Observation/$lastn?patient=" + a.id() + "&code=8867-4&max=2")
                .returnBundle(Bundle.class).execute();
        assertThat(ids(two)).isEqualTo(aIdsOf(ObservationKind.HEART_RATE).subList(0, 2));
        Bundle none = client.search().byUrl(fhirUrl + "/Observation/$lastn?patient=" + a.id() + "&category=laboratory")
                .returnBundle(Bundle.class).execute();
        assertThat(none.getEntry()).isEmpty();
        assertThatThrownBy(() -> client.search().byUrl(fhirUrl + "/Observation/$lastn?patient=" + a.id() + "&max=0")
                .returnBundle(Bundle.class).execute()).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> client.search().byUrl(fhirUrl + "/Observation/$lastn?code=8867-4")
                .returnBundle(Bundle.class).execute()).isInstanceOf(InvalidRequestException.class);
    }

    // --- Patient and Device ---

    @Test
    void readsAndFindsPatients() {
        Patient p = client.read().resource(Patient.class).withId(b.id().toString()).execute();
        assertThat(p.getIdentifierFirstRep().getSystem()).isEqualTo(DNR_OID);
        assertThat(p.getIdentifierFirstRep().getValue()).isEqualTo(b.subject().identifier());
        assertThat(p.getNameFirstRep().getFamily()).isEqualTo("Gjest");
        assertThat(p.getNameFirstRep().getGivenAsSingleString()).isEqualTo("Ola");
        assertThat(FhirValidation.errors(p)).isEmpty();

        Bundle byFnr = client.search().forResource(Patient.class)
                .where(Patient.IDENTIFIER.exactly().systemAndIdentifier(FNR_OID, a.subject().identifier()))
                .returnBundle(Bundle.class).execute();
        assertThat(ids(byFnr)).containsExactly(a.id().toString());
        Bundle wrongOid = client.search().forResource(Patient.class)
                .where(Patient.IDENTIFIER.exactly().systemAndIdentifier(DNR_OID, a.subject().identifier()))
                .returnBundle(Bundle.class).execute();
        assertThat(wrongOid.getEntry()).isEmpty();
        // Unknown and forbidden answer alike, 403 (a 404 before the access policy).
        assertThatThrownBy(() -> client.read().resource(Patient.class).withId(UUID.randomUUID().toString()).execute())
                .isInstanceOf(ForbiddenOperationException.class);
    }

    @Test
    void readsDevices() {
        Device d = client.read().resource(Device.class).withId(deviceFhirId.toString()).execute();
        assertThat(d.getIdentifierFirstRep().getSystem()).isEqualTo("https://knutepunkt.no/fhir/vendor/" + VENDOR + "/device");
        assertThat(d.getIdentifierFirstRep().getValue()).isEqualTo("NT-" + runTag);
        assertThat(d.getManufacturer()).isEqualTo("FHIR API Test Vendor AS");
        assertThat(d.getModelNumber()).isEqualTo("BP-7");
        assertThat(FhirValidation.errors(d)).isEmpty();
        assertThatThrownBy(() -> client.read().resource(Device.class).withId(UUID.randomUUID().toString()).execute())
                .isInstanceOf(ResourceNotFoundException.class);
    }

    // --- metadata ---

    @Test
    void capabilityStatementSaysWhatIsSupported() {
        CapabilityStatement cs = client.capabilities().ofType(CapabilityStatement.class).execute();
        assertThat(cs.getSoftware().getName()).isEqualTo("Knutepunkt");
        assertThat(cs.getSoftware().getVersion()).isNotBlank();
        assertThat(cs.getImplementation().getDescription()).contains("Knutepunkt");
        assertThat(cs.getFormat()).extracting(f -> f.getValue()).anyMatch(f -> f.contains("json"));
        Map<String, CapabilityStatement.CapabilityStatementRestResourceComponent> resources = cs.getRestFirstRep().getResource()
                .stream().collect(Collectors.toMap(r -> r.getType(), r -> r));
        assertThat(resources.keySet()).containsExactlyInAnyOrder("Observation", "Patient", "Device", "EpisodeOfCare", "CareTeam", "Consent",
                "AuditEvent", "OperationDefinition");
        Set<String> observationParams = resources.get("Observation").getSearchParam().stream().map(sp -> sp.getName())
                .collect(Collectors.toSet());
        assertThat(observationParams).contains("patient", "subject", "identifier", "code", "category", "date");
        assertThat(resources.get("Observation").getInteraction()).extracting(i -> i.getCode().toCode())
                .containsExactlyInAnyOrder("read", "search-type");
        assertThat(resources.get("Device").getInteraction()).extracting(i -> i.getCode().toCode()).containsExactly("read");
        assertThat(resources.get("Observation").getOperation()).extracting(o -> o.getName()).contains("lastn");
    }

    // --- a year of readings ---

    @Test
    void searchesUseThePatientIndex() throws SQLException {
        List<ObservationSearch> searches = List.of(
                new ObservationSearch(c.id(), keys(C_KINDS), null, null, null, null, false, 50),
                new ObservationSearch(c.id(), List.of("pulse"), null, null, Instant.parse("2025-09-01T00:00:00Z"),
                        Instant.parse("2025-10-01T00:00:00Z"), true, 50));
        for (ObservationSearch q : searches) {
            for (ObservationSearch.Cursor cursor : new ObservationSearch.Cursor[] {null,
                    new ObservationSearch.Cursor(false, Instant.parse("2025-09-15T10:00:00Z"), UUID.randomUUID()),
                    new ObservationSearch.Cursor(true, Instant.parse("2025-09-15T10:00:00Z"), UUID.randomUUID())}) {
                String plan = explain(ObservationStore.query(q, cursor, null, q.count() + 1));
                assertThat(plan).as(plan).contains("reading_patient").doesNotContain("Seq Scan on reading");
            }
        }
    }

    @Test
    void identifierSearchesUseTheIdentifierKey() throws SQLException {
        for (String vendor : new String[] {VENDOR, null}) {
            ObservationSearch q = new ObservationSearch(null, keys(ObservationKind.values()), vendor, runTag + "-c1-1#pulse",
                    null, null, false, 50);
            // As a clinician searches: only the patients of the care teams their organisation is in.
            AccessPolicy.Visible clinician = new AccessPolicy.Visible("%s IN (SELECT e.patient_id FROM enrollment e JOIN "
                    + "enrollment_care_team ct ON ct.enrollment_id = e.id WHERE ct.organisation_id = ?)", List.of(UUID.randomUUID()));
            String plan = explain(ObservationStore.query(q, null, clinician, q.count() + 1));
            assertThat(plan).as(plan).contains("reading_identifier").doesNotContain("Seq Scan on reading");
        }
    }

    String explain(ObservationStore.Query query) throws SQLException {
        try (Connection cn = db.getConnection(); PreparedStatement ps = cn.prepareStatement("EXPLAIN " + query.text())) {
            query.bind(cn, ps);
            StringBuilder plan = new StringBuilder();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
            return plan.toString();
        }
    }

    static List<String> keys(ObservationKind... kinds) {
        return java.util.Arrays.stream(kinds).map(ObservationKind::key).toList();
    }

    @Test
    void aYearOfReadingsPagesToTheEndAndPrintsTimes() {
        long t0 = System.nanoTime();
        Bundle first = search("patient=" + c.id());
        long t1 = System.nanoTime();
        List<Observation> everything = all("patient=" + c.id() + "&_count=1000");
        long t2 = System.nanoTime();
        List<Observation> pulseInOctober = all("patient=" + c.id() + "&code=8867-4&date=ge2025-10-01&date=lt2025-11-01");
        long t3 = System.nanoTime();
        System.out.printf("year of readings (%d rows): first page of 50 %.1f ms; all via _count=1000 %.1f ms; "
                + "one kind, one month (%d) %.1f ms%n", everything.size(), (t1 - t0) / 1e6, (t2 - t1) / 1e6,
                pulseInOctober.size(), (t3 - t2) / 1e6);

        assertThat(first.getEntry()).hasSize(50);
        assertThat(everything).hasSize(C_DAYS * 4 * C_KINDS.length);
        assertThat(new HashSet<>(ids(everything))).hasSize(everything.size());
        assertThat(everything).extracting(o -> o.getEffectiveDateTimeType().getValue())
                .isSortedAccordingTo(Comparator.reverseOrder());
        assertThat(pulseInOctober).hasSize(31 * 4);
    }
}
