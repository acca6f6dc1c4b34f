package no.knutepunkt.e2e;

import static io.restassured.RestAssured.given;
import static no.knutepunkt.testing.VendorMessages.bloodPressure;
import static no.knutepunkt.testing.VendorMessages.canonical;
import static no.knutepunkt.testing.VendorMessages.iso;
import static no.knutepunkt.testing.VendorMessages.medgw;
import static no.knutepunkt.testing.VendorMessages.nestedField;
import static no.knutepunkt.testing.VendorMessages.observation;
import static no.knutepunkt.testing.VendorMessages.pulse;
import static no.knutepunkt.testing.VendorMessages.spo2;
import static no.knutepunkt.testing.VendorMessages.utf8;
import static no.knutepunkt.testing.VendorMessages.withField;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.Ledger;
import no.knutepunkt.testing.Ledger.DeadLetter;
import no.knutepunkt.testing.Ledger.Inbound;
import no.knutepunkt.testing.Ledger.Reading;
import no.knutepunkt.testing.Ledger.Tally;
import no.knutepunkt.testing.Pilot;
import no.knutepunkt.testing.Registry;
import no.knutepunkt.testing.Tokens;

/**
 * The same payloads POSTed to /ingest/v1/{vendorId}/{deviceId} (device-contract.md, Transport) by
 * the vendor's own system (its OAuth client): 200 accepted / duplicate / partial, 202 parked, 422
 * rejected, 400 not JSON, 413 too large; the body is the receipt, the same one the hub stores with
 * the message; and each request leaves the same rows as over MQTT. Anyone else — no token (401),
 * another vendor's system or a clinician (403) — is refused before the message is read: nothing is
 * ingested and nothing is counted.
 */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
class HttpIngestTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** device-contract.md: "> 64 KiB" is refused; the HTTP limit (1 MiB) is above it, so the hub still gets the bytes. */
    private static final int MAX_PAYLOAD = 64 * 1024;
    private static final ZoneOffset OSLO_WINTER = ZoneOffset.ofHours(1);

    /**
     * Vendors of this run. This hub also takes MQTT messages of other test runs sharing the broker;
     * under vendor ids of its own, this run's counts move only by its own requests.
     */
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String CANONICAL = "nordic-telecare-" + RUN;
    private static final String MEDGW = "medgw-" + RUN;
    private static UUID municipality;

    private Ledger ledger;
    private final Map<String, Tally> before = new HashMap<>();

    /** A request as sent, with the answer. */
    private record Posted(String vendorId, String device, byte[] payload, int status, JsonNode receipt) {
    }

    @BeforeEach
    void openPilot() throws Exception {
        Pilot.vendor(CANONICAL, "canonical");
        Pilot.vendor(MEDGW, "medgw");
        if (municipality == null) {
            municipality = Pilot.organisation("Testvik kommune", "municipality");
        }
        ledger = new Ledger();
        for (String v : List.of(CANONICAL, MEDGW)) {
            before.put(v, Ledger.status(v));
        }
    }

    @AfterEach
    void close() throws Exception {
        ledger.close();
    }

    @Test
    void acceptedIs200WithTheReceipt() throws Exception {
        String device = assignedDevice(CANONICAL, "NT-HTTP");
        String messageId = UUID.randomUUID().toString();
        Posted p = post(CANONICAL, device, utf8(canonical(messageId, device, minutesAgo(1), bloodPressure(128, 82), pulse(64))));

        assertThat(p.status()).isEqualTo(200);
        assertThat(p.receipt().get("messageId").asText()).isEqualTo(messageId);
        assertThat(p.receipt().get("status").asText()).isEqualTo("accepted");
        List<Reading> readings = ledger.readings(CANONICAL, device);
        assertThat(readings).extracting(Reading::identifier, Reading::state)
                .containsExactlyInAnyOrder(tuple(messageId + "#bp", "stored"), tuple(messageId + "#pulse", "stored"));
        // Each result names the Observation it became.
        for (Reading r : readings) {
            JsonNode result = result(p.receipt(), r.identifier());
            assertThat(result.get("status").asText()).isEqualTo("accepted");
            assertThat(result.get("observationIds")).extracting(JsonNode::asText).containsExactly(r.observation().get("id").asText());
        }
        assertRecorded(p);
        assertThat(ledger.deadLetters(CANONICAL, device)).isEmpty();
        assertCounted(CANONICAL, Tally.stored(2));
    }

    @Test
    void sameMessageAgainIs200Duplicate() throws Exception {
        String device = assignedDevice(CANONICAL, "NT-HTTPDUP");
        String messageId = UUID.randomUUID().toString();
        byte[] message = utf8(canonical(messageId, device, minutesAgo(1), spo2(96)));
        Posted first = post(CANONICAL, device, message);
        Posted again = post(CANONICAL, device, message);

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.receipt().get("status").asText()).isEqualTo("accepted");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.receipt().get("status").asText()).isEqualTo("duplicate");
        assertThat(result(again.receipt(), messageId + "#spo2").get("status").asText()).isEqualTo("duplicate");
        assertThat(ledger.readings(CANONICAL, device)).hasSize(1);
        assertRecorded(first, again);
        assertCounted(CANONICAL, new Tally(2, 1, 1, 0, 0));
    }

    @Test
    void gatewayBatchWithAnUnknownMdcIs200Partial() throws Exception {
        String oximeter = assignedDevice(MEDGW, "OX-HTTP");
        String gateway = serial("GW-HTTP");
        String sent = iso(minutesAgo(1).withOffsetSameInstant(ZoneOffset.UTC));
        String time = iso(minutesAgo(2).withOffsetSameInstant(ZoneOffset.UTC));
        Posted p = post(MEDGW, gateway, utf8(medgw(gateway, sent,
                observation(11, oximeter, 149530, "72", 2720, time),
                observation(12, oximeter, 123456, "1", 544, time))));

        assertThat(p.status()).isEqualTo(200);
        assertThat(p.receipt().get("status").asText()).isEqualTo("partial");
        assertThat(result(p.receipt(), gateway + ":11").get("status").asText()).isEqualTo("accepted");
        assertThat(result(p.receipt(), gateway + ":12").get("status").asText()).isEqualTo("rejected");
        assertThat(result(p.receipt(), gateway + ":12").get("reason").asText()).contains("123456");
        assertThat(ledger.readings(MEDGW, oximeter)).extracting(Reading::identifier).containsExactly(gateway + ":11");
        assertDeadLetters(p, "unknown-kind", gateway + ":12");
        assertRecorded(p);
        assertCounted(MEDGW, new Tally(2, 1, 0, 0, 1));
    }

    @Test
    void unknownDeviceIs202Parked() throws Exception {
        String device = serial("NT-HTTPNEW");
        String messageId = UUID.randomUUID().toString();
        Posted p = post(CANONICAL, device, utf8(canonical(messageId, device, minutesAgo(1), spo2(95))));

        assertThat(p.status()).isEqualTo(202);
        assertThat(p.receipt().get("status").asText()).isEqualTo("parked");
        assertThat(p.receipt().get("reason").asText()).contains(device);
        assertThat(ledger.readings(CANONICAL, device)).extracting(Reading::identifier, Reading::state)
                .containsExactly(tuple(messageId + "#spo2", "parked"));
        assertThat(ledger.deadLetters(CANONICAL, device)).isEmpty();
        assertRecorded(p);
        assertCounted(CANONICAL, Tally.parked(1));
    }

    @Test
    void impossibleValueIs422Rejected() throws Exception {
        String device = assignedDevice(CANONICAL, "NT-HTTP422");
        String messageId = UUID.randomUUID().toString();
        Posted p = post(CANONICAL, device, utf8(canonical(messageId, device, minutesAgo(1), spo2(120))));

        assertThat(p.status()).isEqualTo(422);
        assertThat(p.receipt().get("status").asText()).isEqualTo("rejected");
        assertThat(p.receipt().get("reason").asText()).contains("spo2").contains("120");
        assertThat(ledger.readings(CANONICAL, device)).isEmpty();
        assertDeadLetters(p, "implausible-value", messageId + "#spo2");
        assertRecorded(p);
        assertCounted(CANONICAL, Tally.deadLettered(1));
    }

    /**
     * Before the access model an unregistered vendor id was posted to, dead-lettered and counted
     * (422). Now only a vendor's own OAuth client may post under its id, and no client is an
     * unregistered vendor's: the hub refuses it (403) before reading it, so nothing is ingested,
     * dead-lettered or counted.
     */
    @Test
    void anUnregisteredVendorsPathIs403AndNothingIsIngested() throws Exception {
        String stranger = serial("no-such-vendor");
        String device = serial("XX-HTTP");
        byte[] payload = utf8(canonical(UUID.randomUUID().toString(), device, minutesAgo(1), spo2(95)));

        Response r = post(Tokens.vendor(Pilot.clientOf(CANONICAL)), stranger, device, payload);

        assertThat(r.statusCode()).isEqualTo(403);
        assertNothingIngested(stranger, device);
        assertCounted(stranger, Tally.ZERO);
        assertCounted(CANONICAL, Tally.ZERO);
    }

    // --- who may post ---

    @Test
    void anotherVendorsTokenIs403AndNothingIsIngestedOrCounted() throws Exception {
        String device = assignedDevice(CANONICAL, "NT-HTTPOTHER");
        byte[] payload = utf8(canonical(UUID.randomUUID().toString(), device, minutesAgo(1), spo2(96)));

        // MEDGW's own system, posting under CANONICAL's vendor id.
        Response r = post(Tokens.vendor(Pilot.clientOf(MEDGW)), CANONICAL, device, payload);

        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.contentType()).startsWith("application/json");
        assertThat(r.jsonPath().getString("error")).as(r.asString()).isNotBlank();
        assertThat(r.jsonPath().getString("status")).as("no receipt: the message was never the vendor's").isNull();
        assertNothingIngested(CANONICAL, device);
        // Counted as received by neither vendor, as /status tells the operator and the tables agree.
        assertCounted(CANONICAL, Tally.ZERO);
        assertCounted(MEDGW, Tally.ZERO);
        // The refusal is in the audit log, with its reason.
        try (Registry db = new Registry()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> db.count("SELECT count(*) FROM audit_event WHERE outcome = 'denied' "
                    + "AND action = 'ingest' AND entry_point = ? AND reason = 'another-vendors-path' AND client_id = ?",
                    "POST /ingest/v1/" + CANONICAL, Pilot.clientOf(MEDGW)) == 1);
        }
    }

    @Test
    void noTokenIs401AndNothingIsIngested() throws Exception {
        String device = assignedDevice(CANONICAL, "NT-HTTPANON");
        byte[] payload = utf8(canonical(UUID.randomUUID().toString(), device, minutesAgo(1), spo2(96)));

        Response r = given().contentType(ContentType.JSON).body(payload).post("/ingest/v1/{vendorId}/{deviceId}", CANONICAL, device);

        assertThat(r.statusCode()).isEqualTo(401);
        assertNothingIngested(CANONICAL, device);
        assertCounted(CANONICAL, Tally.ZERO);
    }

    @Test
    void aCliniciansTokenIs403AndNothingIsIngested() throws Exception {
        String device = assignedDevice(CANONICAL, "NT-HTTPNURSE");
        byte[] payload = utf8(canonical(UUID.randomUUID().toString(), device, minutesAgo(1), spo2(96)));

        // A nurse of the very municipality that follows the patient: still not the vendor's system.
        Response r = post(Pilot.clinicianOf(municipality, "9100201"), CANONICAL, device, payload);

        assertThat(r.statusCode()).isEqualTo(403);
        assertNothingIngested(CANONICAL, device);
        assertCounted(CANONICAL, Tally.ZERO);
    }

    @Test
    void notJsonIs400() throws Exception {
        String device = serial("NT-HTTP400");
        Posted p = post(CANONICAL, device, utf8("messageId=1&value=95"));

        assertThat(p.status()).isEqualTo(400);
        assertThat(p.receipt().get("status").asText()).isEqualTo("rejected");
        assertThat(p.receipt().get("reason").asText()).contains("JSON");
        assertDeadLetters(p, "not-json", (String) null);
        assertRecorded(p);
        assertCounted(CANONICAL, Tally.deadLettered(1));
    }

    /** RFC 8259: JSON exchanged between systems is UTF-8, so Latin-1 text is not JSON either. */
    @Test
    void notUtf8Is400() throws Exception {
        String device = serial("NT-HTTPLATIN");
        byte[] latin1 = canonical("Bjørn-1", device, minutesAgo(1), spo2(95)).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Posted p = post(CANONICAL, device, latin1);

        assertThat(p.status()).isEqualTo(400);
        assertThat(p.receipt().get("reason").asText()).contains("UTF-8");
        assertDeadLetters(p, "not-utf8", (String) null);
        assertRecorded(p);
        assertCounted(CANONICAL, Tally.deadLettered(1));
    }

    @Test
    void largerThan64KiBIs413() throws Exception {
        String device = serial("NT-HTTP413");
        byte[] payload = utf8(withField(canonical(UUID.randomUUID().toString(), device, minutesAgo(1), spo2(95)),
                "\"note\": \"" + "x".repeat(70_000) + "\""));
        assertThat(payload.length).isGreaterThan(MAX_PAYLOAD).isLessThan(1024 * 1024);

        Posted p = post(CANONICAL, device, payload);

        assertThat(p.status()).isEqualTo(413);
        assertThat(p.receipt().get("status").asText()).isEqualTo("rejected");
        assertThat(p.receipt().get("reason").asText()).contains(String.valueOf(MAX_PAYLOAD));
        assertDeadLetters(p, "too-large", (String) null);
        assertRecorded(p);
        assertCounted(CANONICAL, Tally.deadLettered(1));
    }

    /**
     * The contract names 400 for "not JSON" and 413 for "too large" only; a document nested deeper
     * than 32 is JSON and small, just refused, so it gets the general "rejected" status, 422.
     */
    @Test
    void nestingDeeperThan32Is422() throws Exception {
        String device = serial("NT-HTTPDEEP");
        Posted p = post(CANONICAL, device, utf8(withField(canonical(UUID.randomUUID().toString(), device, minutesAgo(1), spo2(95)),
                nestedField("vendorExtension", 32))));

        assertThat(p.status()).isEqualTo(422);
        assertThat(p.receipt().get("status").asText()).isEqualTo("rejected");
        assertThat(p.receipt().get("reason").asText()).contains("32");
        assertDeadLetters(p, "too-deep", (String) null);
        assertRecorded(p);
        assertCounted(CANONICAL, Tally.deadLettered(1));
    }

    // --- assertions ---

    /** One dead letter per key (null: an unreadable message), with the request body exactly as sent. */
    private void assertDeadLetters(Posted p, String reasonCode, String... keys) throws Exception {
        List<DeadLetter> dead = ledger.deadLetters(p.vendorId(), p.device());
        assertThat(dead).extracting(DeadLetter::readingKey).containsExactlyInAnyOrder(keys);
        assertThat(dead).allSatisfy(d -> {
            assertThat(d.reasonCode()).isEqualTo(reasonCode);
            assertThat(d.reason()).isNotBlank();
            assertThat(d.payload()).isEqualTo(p.payload());
        });
    }

    /** Every request has its inbound row: transport http, the body as sent, and the receipt it was answered with. */
    private void assertRecorded(Posted... posted) throws Exception {
        List<Inbound> inbound = ledger.inbound(posted[0].vendorId(), posted[0].device());
        assertThat(inbound).hasSize(posted.length);
        for (int i = 0; i < posted.length; i++) {
            assertThat(inbound.get(i).transport()).isEqualTo("http");
            assertThat(inbound.get(i).payload()).isEqualTo(posted[i].payload());
            assertThat(inbound.get(i).status()).isEqualTo(posted[i].receipt().get("status").asText());
            assertThat(inbound.get(i).receipt()).isEqualTo(posted[i].receipt());
        }
    }

    /** No inbound message, reading or dead letter of the request: it went no further than the door. */
    private void assertNothingIngested(String vendorId, String device) throws Exception {
        assertThat(ledger.inbound(vendorId, device)).isEmpty();
        assertThat(ledger.readings(vendorId, device)).isEmpty();
        assertThat(ledger.deadLetters(vendorId, device)).isEmpty();
    }

    private void assertCounted(String vendorId, Tally expected) throws Exception {
        Tally now = Ledger.status(vendorId);
        assertThat(now.minus(before.getOrDefault(vendorId, Tally.ZERO))).isEqualTo(expected);
        assertThat(now.balances()).as("received = stored + duplicate + parked + deadLettered").isTrue();
        assertThat(Ledger.statusSaysBalanced(vendorId)).isTrue();
        // Two reads, two snapshots: another test's commit may land between them, but not stay between them.
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(ledger.tables(vendorId)).isEqualTo(Ledger.status(vendorId)));
    }

    // --- sending ---

    /** Posted by the vendor's own system (its OAuth client), as the contract has it. */
    private static Posted post(String vendorId, String device, byte[] payload) throws IOException {
        Response r = post(Tokens.vendor(Pilot.clientOf(vendorId)), vendorId, device, payload);
        if (!r.contentType().startsWith("application/json")) {
            throw new AssertionError("the hub answered " + r.statusCode() + " " + r.contentType() + " instead of a receipt: "
                    + r.asString());
        }
        return new Posted(vendorId, device, payload, r.statusCode(), JSON.readTree(r.asByteArray()));
    }

    private static Response post(String token, String vendorId, String device, byte[] payload) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(payload).post("/ingest/v1/{vendorId}/{deviceId}",
                vendorId, device);
    }

    private static JsonNode result(JsonNode receipt, String key) {
        for (JsonNode r : receipt.get("results")) {
            if (key.equals(r.path("key").asText())) {
                return r;
            }
        }
        throw new AssertionError("no result for " + key + " in " + receipt);
    }

    private static String serial(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String assignedDevice(String vendorId, String prefix) {
        String serial = serial(prefix);
        // Whole seconds: the database keeps microseconds, rounded, so a nanosecond start could end up after itself.
        Pilot.patientWithDevices(municipality, OffsetDateTime.now(OSLO_WINTER).minusDays(30).withNano(0), vendorId, serial);
        return serial;
    }

    private static OffsetDateTime minutesAgo(int minutes) {
        return OffsetDateTime.now(OSLO_WINTER).minusMinutes(minutes).withNano(0);
    }
}
