package no.knutepunkt.status;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import no.knutepunkt.access.AccessPolicy;
import no.knutepunkt.access.Caller;
import no.knutepunkt.access.Role;
import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.Ledger;
import no.knutepunkt.testing.Ledger.Tally;
import no.knutepunkt.testing.Pilot;
import no.knutepunkt.testing.Tokens;
import no.knutepunkt.testing.VendorClient;
import no.knutepunkt.testing.VendorMessages;

/**
 * The status page and the JSON behind it, against the real broker and database: three vendors of
 * its own (one per format), so their counts are exactly what this test sent — stored, a duplicate,
 * a parked and dead-lettered readings — and two patients whose latest readings it knows.
 */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatusPageTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HPR = "9100041";

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String canonical = "st-nt-" + run;
    private final String acme = "st-ac-" + run;
    private final String medgw = "st-gw-" + run;
    private final OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);
    private Pilot.Patient kari;
    private Pilot.Patient ola;
    private UUID municipality;

    @Inject
    AccessPolicy policy;

    @BeforeAll
    void sendReadingsOfEveryOutcome() throws Exception {
        Pilot.vendor(canonical, "canonical");
        Pilot.vendor(acme, "acme-flat");
        Pilot.vendor(medgw, "medgw");
        municipality = Pilot.organisation("Statusvik kommune " + run, "municipality");
        OffsetDateTime since = now.minusDays(1);
        kari = Pilot.patient("Kari", "Status-" + run);
        UUID karis = Pilot.enroll(kari, municipality, since);
        ola = Pilot.patient("Ola", "Status-" + run);
        UUID olas = Pilot.enroll(ola, municipality, since);
        String cuff = "NT-" + run;
        String scale = "AC-" + run;
        String gateway = "GW-" + run;
        String thermometer = "TH-" + run;
        String oximeter = "OX-" + run;
        Pilot.device(canonical, cuff);
        Pilot.assign(karis, canonical, cuff, since, null);
        Pilot.device(acme, scale);
        Pilot.assign(karis, acme, scale, since, null);
        for (String d : new String[] {gateway, thermometer, oximeter}) {
            Pilot.device(medgw, d);
            Pilot.assign(olas, medgw, d, since, null);
        }

        try (VendorClient vendor = new VendorClient()) {
            // Kari: a blood pressure with pulse, two SpO2 (the later one is her latest), a weight in lb.
            String m1 = publish(vendor, canonical, cuff, VendorMessages.canonical("m1-" + run, cuff, now.minusMinutes(10),
                    VendorMessages.bloodPressure(132, 84), VendorMessages.pulse(71)));
            String spo2Early = VendorMessages.canonical("m2-" + run, cuff, now.minusMinutes(9), VendorMessages.spo2(94));
            String m2 = publish(vendor, canonical, cuff, spo2Early);
            String m3 = publish(vendor, canonical, cuff,
                    VendorMessages.canonical("m3-" + run, cuff, now.minusMinutes(2), VendorMessages.spo2(96)));
            String a1 = publish(vendor, acme, scale, VendorMessages.acme("a1-" + run, scale,
                    now.minusMinutes(5).toInstant().toEpochMilli(), "WEIGHT", "176.4", "lbs"));
            for (String id : List.of(m1, m2, m3, a1)) {
                assertThat(vendor.awaitReceipt(id).get("status").asText()).as(id).isEqualTo("accepted");
            }
            // The same message again: a duplicate.
            vendor.publish(canonical, cuff, spo2Early);
            await().atMost(Duration.ofSeconds(30)).until(() -> vendor.receipts(m2).size() == 2);
            assertThat(vendor.receipts(m2).get(1).get("status").asText()).isEqualTo("duplicate");

            // Ola, through a gateway: a temperature, an SpO2, and an SpO2 from a device whose clock is in 1970.
            String sent = VendorMessages.iso(now.minusMinutes(1));
            vendor.publish(medgw, gateway, VendorMessages.medgw(gateway, sent,
                    VendorMessages.observation(1, thermometer, 150364, "37.2", 6048, VendorMessages.iso(now.minusMinutes(4))),
                    VendorMessages.observation(2, oximeter, 150456, "93", 544, VendorMessages.iso(now.minusMinutes(3))),
                    VendorMessages.observation(3, oximeter, 150456, "95", 544, "1970-01-01T00:00:09Z")));
            assertThat(vendor.awaitReceipt(gateway + ":" + sent).get("status").asText()).isEqualTo("accepted");

            // A device nobody has: parked. Not JSON, and a unit nobody measures weight in: dead-lettered.
            String stray = "NT-STRAY-" + run;
            String parked = publish(vendor, canonical, stray, VendorMessages.canonical("p1-" + run, stray, now.minusMinutes(1),
                    VendorMessages.spo2(97)));
            assertThat(vendor.awaitReceipt(parked).get("status").asText()).isEqualTo("parked");
            vendor.publish(canonical, cuff, "this is not JSON");
            await().atMost(Duration.ofSeconds(30)).until(() -> vendor.receiptsOf(canonical, cuff).size() == 5);
            String stone = publish(vendor, acme, scale, VendorMessages.acme("a2-" + run, scale,
                    now.minusMinutes(1).toInstant().toEpochMilli(), "WEIGHT", "12.5", "stone"));
            assertThat(vendor.awaitReceipt(stone).get("status").asText()).isEqualTo("rejected");
        }
    }

    private static String publish(VendorClient vendor, String vendorId, String device, String message) throws Exception {
        vendor.publish(vendorId, device, message);
        return JSON.readTree(message).path(message.contains("\"messageId\"") ? "messageId" : "id").asText();
    }

    // --- /status/vendors

    @Test
    void eachVendorsCountsAreWhatItSent() throws SQLException {
        JsonNode vendors = get("/status/vendors");
        assertCounts(vendor(vendors, canonical).get("counts"), new Tally(7, 4, 1, 1, 1));
        assertCounts(vendor(vendors, acme).get("counts"), new Tally(2, 1, 0, 0, 1));
        assertCounts(vendor(vendors, medgw).get("counts"), new Tally(3, 3, 0, 0, 0));
        // And what the tables themselves add up to, counted independently of the tallies.
        try (Ledger ledger = new Ledger()) {
            for (String v : List.of(canonical, acme, medgw)) {
                assertCounts(vendor(vendors, v).get("counts"), ledger.tables(v));
            }
        }
        JsonNode nt = vendor(vendors, canonical);
        assertThat(nt.get("registered").asBoolean()).isTrue();
        assertThat(nt.get("name").asText()).isEqualTo(canonical);
        assertThat(nt.get("counts").get("balanced").asBoolean()).isTrue();
        OffsetDateTime last = OffsetDateTime.parse(nt.get("lastReceivedAt").asText());
        assertThat(last).isBetween(now.minusMinutes(1), OffsetDateTime.now().plusMinutes(1));
    }

    @Test
    void recentCountsCoverWhatWasJustSentBeforeAndAfterTheFold() throws SQLException {
        assertRecent(get("/status/vendors"));
        // The fold (every 10 s) moves the deltas into per-minute sums; the window must count them the same.
        try (Connection c = database(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM reading_tally_delta WHERE vendor_id IN (?, ?, ?)")) {
            ps.setString(1, canonical);
            ps.setString(2, acme);
            ps.setString(3, medgw);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1) == 0;
                }
            });
        }
        assertRecent(get("/status/vendors"));
    }

    private void assertRecent(JsonNode vendors) {
        long seconds = vendors.get("window").get("seconds").asLong();
        assertThat(seconds).isBetween(5 * 60L, 6 * 60L + 30);
        for (String v : List.of(canonical, acme, medgw)) {
            JsonNode x = vendor(vendors, v);
            JsonNode recent = x.get("recent");
            assertThat(recent.get("received").asLong()).as(v).isEqualTo(x.get("counts").get("received").asLong());
            assertThat(recent.get("deadLettered").asLong()).as(v).isEqualTo(x.get("counts").get("deadLettered").asLong());
            assertThat(recent.get("receivedPerMinute").asDouble()).as(v)
                    .isCloseTo(recent.get("received").asLong() * 60.0 / seconds, org.assertj.core.data.Offset.offset(0.051));
        }
    }

    @Test
    void theVendorsAddUpToTheGlobalCounters() {
        JsonNode vendors = get("/status/vendors");
        long[] sum = new long[5];
        for (JsonNode v : vendors.get("vendors")) {
            JsonNode c = v.get("counts");
            sum[0] += c.get("received").asLong();
            sum[1] += c.get("stored").asLong();
            sum[2] += c.get("duplicate").asLong();
            sum[3] += c.get("parked").asLong();
            sum[4] += c.get("deadLettered").asLong();
        }
        assertThat(new long[] {vendors.get("total").get("received").asLong(), vendors.get("total").get("stored").asLong(),
                vendors.get("total").get("duplicate").asLong(), vendors.get("total").get("parked").asLong(),
                vendors.get("total").get("deadLettered").asLong()}).containsExactly(sum);
        assertThat(sum[0]).isEqualTo(sum[1] + sum[2] + sum[3] + sum[4]);
        assertThat(vendors.get("total").get("balanced").asBoolean()).isTrue();
        // /status counts in a statement of its own: equal once nothing moves between the two reads
        // (a parked reading of an earlier test may be routed meanwhile, moving parked to stored).
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode both = get("/status/vendors").get("total");
            JsonNode status = get("/status").get("readings");
            for (String k : List.of("received", "stored", "duplicate", "parked", "deadLettered")) {
                assertThat(status.get(k).asLong()).as(k).isEqualTo(both.get(k).asLong());
            }
        });
        JsonNode status = get("/status");
        for (String v : List.of(canonical, acme, medgw)) {
            assertThat(status.get("vendors").get(v)).as(v).isEqualTo(vendor(get("/status/vendors"), v).get("counts"));
        }
    }

    @Test
    void aRegisteredVendorThatSentNothingIsListedWithNothing() {
        String quiet = "st-quiet-" + run;
        Pilot.vendor(quiet, "canonical");
        JsonNode v = vendor(get("/status/vendors"), quiet);
        assertCounts(v.get("counts"), Tally.ZERO);
        assertThat(v.get("lastReceivedAt").isNull()).isTrue();
        assertThat(v.get("recent").get("received").asLong()).isZero();
    }

    // --- /status/latest

    @Test
    void eachPatientsLatestReadingOfEachKindNewestFirst() {
        JsonNode k = patient(kari);
        assertThat(k.get("name").asText()).isEqualTo("Kari Status-" + run);
        List<String> rows = new ArrayList<>();
        for (JsonNode r : k.get("readings")) {
            rows.add(r.get("kind").asText() + " " + r.get("value").asText() + " " + r.get("unit").asText() + " "
                    + OffsetDateTime.parse(r.get("effective").asText()).toInstant() + " " + r.get("vendor").asText() + "/"
                    + r.get("device").asText());
        }
        // The later SpO2 (96, not 94); the weight sent in lb as kg; blood pressure and pulse from the
        // same message at the same time.
        assertThat(rows).containsExactly(
                "spo2 96 % " + now.minusMinutes(2).toInstant() + " " + canonical + "/NT-" + run,
                "weight 80.0 kg " + now.minusMinutes(5).toInstant() + " " + acme + "/AC-" + run,
                "bp 132/84 mm[Hg] " + now.minusMinutes(10).toInstant() + " " + canonical + "/NT-" + run,
                "pulse 71 /min " + now.minusMinutes(10).toInstant() + " " + canonical + "/NT-" + run);
        assertThat(k.get("readings").get(0).get("label").asText()).isEqualTo("SpO\u2082");
        assertThat(k.get("readings").get(2).get("label").asText()).isEqualTo("Blood pressure");
        assertThat(k.get("readings").findValues("deviceClockWrong")).allMatch(b -> !b.asBoolean());

        JsonNode o = patient(ola);
        List<String> olas = new ArrayList<>();
        for (JsonNode r : o.get("readings")) {
            olas.add(r.get("kind").asText() + " " + r.get("value").asText() + " " + r.get("unit").asText() + " "
                    + r.get("deviceClockWrong").asBoolean());
        }
        // The 1970 SpO2 is timed by the gateway's send time, so it is Ola's latest, and says why.
        assertThat(olas).containsExactly("spo2 95 % true", "temperature 37.2 Cel false");
    }

    @Test
    void theFodselsnummerIsMaskedAndNeverSentWhole() {
        assertThat(patient(kari).get("nationalId").asText()).isEqualTo(kari.identifier().substring(0, 6) + "*****");
        assertThat(patient(ola).get("nationalId").asText()).isEqualTo(ola.identifier().substring(0, 6) + "*****");
        for (String page : pages(7)) {
            assertThat(page).doesNotContain(kari.identifier()).doesNotContain(ola.identifier());
        }
    }

    @Test
    void eachPatientLinksIntoTheFhirApiAndTheLinksAnswer() {
        JsonNode k = patient(kari);
        String id = kari.id().toString();
        JsonNode links = k.get("links");
        assertThat(links.get("patient").asText()).isEqualTo("/fhir/Patient/" + id);
        assertThat(links.get("observations").asText()).isEqualTo("/fhir/Observation?patient=" + id + "&_sort=-date");
        assertThat(links.get("lastn").asText()).isEqualTo("/fhir/Observation/$lastn?patient=" + id);

        JsonNode patient = fhir(links.get("patient").asText());
        assertThat(patient.get("identifier").get(0).get("value").asText()).isEqualTo(kari.identifier());
        JsonNode all = fhir(links.get("observations").asText());
        assertThat(all.get("entry")).hasSize(5);
        assertThat(all.get("entry").get(0).get("resource").get("valueQuantity").get("value").asInt()).isEqualTo(96);
        JsonNode lastn = fhir(links.get("lastn").asText());
        assertThat(lastn.get("entry")).hasSize(4);
        JsonNode weight = fhir(k.get("readings").get(1).get("observation").asText());
        assertThat(weight.get("valueQuantity").get("value").asText()).isEqualTo("80.0");
    }

    @Test
    void pagesFollowEachOtherWithEveryPatientOnce() throws SQLException {
        // Every patient the nurse may see, once: her municipality's care teams follow Kari and Ola,
        // counted here from the registry's own rows (running enrollments with her organisation in the
        // care team), not by the access policy's condition.
        long visible;
        try (Connection c = database(); PreparedStatement ps = c.prepareStatement("""
                SELECT count(DISTINCT e.patient_id) FROM enrollment e JOIN enrollment_care_team ct ON ct.enrollment_id = e.id
                 WHERE ct.organisation_id = ? AND (e.ended_at IS NULL OR e.ended_at > now())""")) {
            ps.setObject(1, municipality);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                visible = rs.getLong(1);
            }
        }
        assertThat(visible).isEqualTo(2);
        // One patient a page, so the next link is followed; and three, so a page holds them all.
        for (int perPage : new int[] {1, 3}) {
            Set<String> seen = new HashSet<>();
            int shown = 0;
            for (String page : pages(perPage)) {
                JsonNode p = json(page);
                assertThat(p.get("patients").size()).isBetween(1, perPage);
                for (JsonNode x : p.get("patients")) {
                    assertThat(seen.add(x.get("id").asText())).as("patient on two pages").isTrue();
                    shown++;
                }
            }
            assertThat(shown).isEqualTo(visible);
            assertThat(seen).containsExactlyInAnyOrder(kari.id().toString(), ola.id().toString());
        }
    }

    /**
     * Who sees whom (before the access policy every patient was listed to anyone): a clinician her
     * care teams' patients, a patient herself, an operator none, and nobody without signing in.
     */
    @Test
    void eachCallerSeesOnlyThePatientsTheAccessPolicyLetsThemSee() {
        assertThat(listed(pages(nurse(), 50))).contains(kari.id().toString(), ola.id().toString());
        UUID elsewhere = Pilot.organisation("Annenby kommune " + run, "municipality");
        assertThat(listed(pages(Pilot.clinicianOf(elsewhere, "9100042"), 50))).isEmpty();
        assertThat(listed(pages(Tokens.patient(kari.identifier()), 50))).containsExactly(kari.id().toString());
        assertThat(listed(pages(Tokens.operator(), 50))).isEmpty();
        given().get("/status/latest").then().statusCode(401);
    }

    /** The counts are the operator's: a clinician is refused them, and nobody reads them without signing in. */
    @Test
    void theCountsAreTheOperatorsOnly() {
        for (String path : List.of("/status", "/status/vendors", "/status/reconciliation")) {
            given().auth().oauth2(nurse()).get(path).then().statusCode(403);
            given().get(path).then().statusCode(401);
        }
    }

    private static List<String> listed(List<String> pages) {
        List<String> ids = new ArrayList<>();
        for (String page : pages) {
            json(page).get("patients").forEach(x -> ids.add(x.get("id").asText()));
        }
        return ids;
    }

    @Test
    void aCursorThatIsNotAPatientIdIsRefused() {
        given().auth().oauth2(nurse()).get("/status/latest?after=Robert'); DROP TABLE patient;--").then().statusCode(400);
    }

    @Test
    void theLatestReadingsQueryCanBeServedByIndexesAlone() throws SQLException {
        AccessPolicy.Visible clinicians = policy.visiblePatients(clinician());
        try (Connection c = database(); Statement s = c.createStatement()) {
            // Test tables are small enough for a sequential scan to win; what matters is that the
            // indexes can serve every part of the query when the tables are large.
            s.execute("SET enable_seqscan = off");
            for (boolean after : new boolean[] {false, true}) {
                String plan = explain(c, LatestReadings.query(clinicians, after), clinicians, after);
                // The page walks patients in name order (patient_name; as a bitmap scan after a cursor,
                // where the row comparison bounds it) and probes each one's latest reading of each kind
                // (reading_patient), as before the access policy. The clinician's condition is a filter
                // on that walk, its three lookups each made once (hashed subplans) and each by an index:
                // her organisation's care teams (enrollment_care_team_organisation, then the enrollments
                // by key), her emergency accesses (emergency_access_holder) and the blocks of her HPR
                // number (patient_block_active). The last two lead with patient_id, which the condition
                // does not give, so they are read whole rather than probed; both stay small
                // (time-limited grants, blocks of named people). enrollment_responsible serves the
                // municipality admin's condition, not a clinician's, so it is not in this plan.
                assertThat(plan).as(plan).contains("Index Scan using reading_patient on reading")
                        .containsPattern("(Index Scan using patient_name on patient|Bitmap Index Scan on patient_name)")
                        .contains("enrollment_care_team_organisation")
                        .contains("emergency_access_holder").contains("patient_block_active")
                        .doesNotContain("Seq Scan");
            }
        }
    }

    // --- the page

    @Test
    void thePageIsServedAtTheRootAndLoadsOnlyItsOwnFiles() {
        String html = given().get("/").then().statusCode(200).contentType(containsString("text/html"))
                .header("Content-Security-Policy", containsString("default-src 'self'")).extract().asString();
        assertThat(html).contains("<script src=\"status.js\"", "<link rel=\"stylesheet\" href=\"status.css\"",
                "href=\"/fhir/metadata\"", "href=\"/status/vendors\"", "href=\"/status/latest\"", "href=\"/q/health\"");
        assertThat(html).doesNotContainPattern("(src|href)=\"(https?:)?//");
        String js = given().get("/status.js").then().statusCode(200).contentType(containsString("javascript")).extract().asString();
        assertThat(js).contains("'/status/vendors'", "'/status/latest'", "'/q/health'", "setTimeout(refresh");
        assertThat(js).doesNotContain("innerHTML").doesNotContainPattern("https?://");
        given().get("/status.css").then().statusCode(200).contentType(containsString("text/css"));
        given().get("/fhir/metadata").then().statusCode(200).body(containsString("CapabilityStatement"));
        given().get("/q/health/live").then().statusCode(200).body(containsString("ingest-writers"));
    }

    // --- helpers

    /** The counts are the operator's to read. */
    private static JsonNode get(String path) {
        return get(Tokens.operator(), path);
    }

    private static JsonNode get(String token, String path) {
        return json(given().auth().oauth2(token).get(path).then().statusCode(200).contentType(startsWith("application/json")).extract()
                .asString());
    }

    /** The FHIR API, as the nurse of the municipality that follows Kari and Ola. */
    private JsonNode fhir(String path) {
        return json(given().auth().oauth2(nurse()).get(path).then().statusCode(200).extract().asString());
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JsonNode vendor(JsonNode vendors, String id) {
        for (JsonNode v : vendors.get("vendors")) {
            if (id.equals(v.get("id").asText())) {
                return v;
            }
        }
        throw new AssertionError("vendor " + id + " not listed: " + vendors);
    }

    private static void assertCounts(JsonNode counts, Tally expected) {
        assertThat(new Tally(counts.get("received").asLong(), counts.get("stored").asLong(), counts.get("duplicate").asLong(),
                counts.get("parked").asLong(), counts.get("deadLettered").asLong())).isEqualTo(expected);
    }

    /** Every page of /status/latest as the nurse sees it, as the page's next links lead, as text. */
    private List<String> pages(int perPage) {
        return pages(nurse(), perPage);
    }

    /** Every page of /status/latest as this caller sees it. */
    private static List<String> pages(String token, int perPage) {
        List<String> pages = new ArrayList<>();
        String next = "/status/latest?limit=" + perPage;
        while (next != null) {
            String body = given().auth().oauth2(token).get(next).then().statusCode(200).extract().asString();
            pages.add(body);
            JsonNode n = json(body).get("next");
            next = n == null || n.isNull() ? null : n.asText();
            assertThat(pages.size()).as("pages").isLessThan(10_000);
        }
        return pages;
    }

    private JsonNode patient(Pilot.Patient p) {
        for (String page : pages(50)) {
            for (JsonNode x : json(page).get("patients")) {
                if (p.id().toString().equals(x.get("id").asText())) {
                    return x;
                }
            }
        }
        throw new AssertionError("patient not listed");
    }

    /** A nurse of the municipality whose patients this test enrolled: in their care team. */
    private String nurse() {
        return Pilot.clinicianOf(municipality, HPR);
    }

    /** The same nurse as the claim mapping makes her, for the access policy's list condition. */
    private Caller clinician() {
        return new Caller(Set.of(Role.CLINICIAN), "test-clinician-" + HPR, "test", "test", "Test Kliniker", HPR,
                new Caller.Organisation(municipality, Pilot.orgNumber(municipality), "Statusvik kommune " + run, "municipality"), "high",
                null, null, null);
    }

    private static Connection database() throws SQLException {
        var config = ConfigProvider.getConfig();
        return DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class),
                config.getOptionalValue("quarkus.datasource.password", String.class).orElse(""));
    }

    private static String explain(Connection c, String sql, AccessPolicy.Visible visible, boolean after) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + sql)) {
            int i = 1;
            for (Object p : visible.params()) {
                ps.setObject(i++, p);
            }
            if (after) {
                ps.setObject(i++, UUID.randomUUID());
            }
            ps.setInt(i++, 51);
            ps.setArray(i, c.createArrayOf("text", new Object[] {"bp", "spo2"}));
            StringBuilder plan = new StringBuilder();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
            return plan.toString();
        }
    }
}
