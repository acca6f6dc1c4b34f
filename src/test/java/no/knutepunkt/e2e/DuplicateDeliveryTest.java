package no.knutepunkt.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.Pilot;
import no.knutepunkt.testing.Registry;
import no.knutepunkt.testing.Tokens;
import no.knutepunkt.testing.VendorClient;

/**
 * The same message delivered twenty times at once — MQTT redelivery, a vendor re-sending, a
 * replay — yields exactly one Observation; the other nineteen are counted as duplicates.
 */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
class DuplicateDeliveryTest {

    private static final int COPIES = 20;

    private String message(String messageId, String device) {
        String at = OffsetDateTime.now(ZoneOffset.ofHours(1)).minusMinutes(1).truncatedTo(ChronoUnit.MILLIS).toString();
        return """
                {"messageId": "%s", "deviceId": "%s", "measuredAt": "%s",
                 "readings": [{"kind": "systolic", "value": 128, "unit": "mm[Hg]"},
                              {"kind": "diastolic", "value": 79, "unit": "mm[Hg]"},
                              {"kind": "pulse", "value": 64, "unit": "/min"}]}""".formatted(messageId, device, at);
    }

    private static void runTogether(List<Callable<Object>> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Object>> done = new ArrayList<>();
        for (Callable<Object> t : tasks) {
            done.add(pool.submit(() -> {
                start.await();
                return t.call();
            }));
        }
        start.countDown();
        for (Future<Object> f : done) {
            f.get();
        }
        pool.shutdown();
    }

    @Test
    void twentyConcurrentMqttDeliveriesStoreOnce() throws Exception {
        String device = "NT-DUP-" + UUID.randomUUID().toString().substring(0, 8);
        Pilot.vendors();
        Pilot.patientWithDevices(Pilot.organisation("Dupvik kommune", "municipality"), OffsetDateTime.now().minusDays(1), Pilot.CANONICAL,
                device);
        String messageId = UUID.randomUUID().toString();
        String payload = message(messageId, device);
        List<VendorClient> vendors = new ArrayList<>();
        try (Registry db = new Registry()) {
            for (int i = 0; i < COPIES; i++) {
                vendors.add(new VendorClient());
            }
            List<Callable<Object>> publishes = new ArrayList<>();
            for (VendorClient v : vendors) {
                publishes.add(() -> {
                    v.publish(Pilot.CANONICAL, device, payload);
                    return null;
                });
            }
            runTogether(publishes);

            VendorClient listener = vendors.get(0);
            await().atMost(Duration.ofSeconds(30)).until(() -> listener.receipts(messageId).size() == COPIES);
            assertThat(listener.receipts(messageId)).extracting(r -> r.get("status").asText())
                    .containsOnly("accepted", "duplicate").filteredOn("accepted"::equals).hasSize(1);
            assertThat(db.count("SELECT count(*) FROM reading WHERE vendor_id = ? AND identifier LIKE ?", Pilot.CANONICAL,
                    messageId + "#%")).isEqualTo(2);
            assertThat(db.count("SELECT count(*) FROM measurement m JOIN reading r ON r.id = m.observation_id WHERE r.identifier LIKE ?",
                    messageId + "#%")).isEqualTo(3);
            // Every delivery is on record, with its receipt.
            assertThat(db.count("SELECT count(*) FROM inbound_message WHERE vendor_id = ? AND message_id = ?", Pilot.CANONICAL, messageId))
                    .isEqualTo(COPIES);
            assertThat(db.count("SELECT count(*) FROM inbound_message WHERE message_id = ? AND status = 'duplicate'", messageId))
                    .isEqualTo(COPIES - 1);
        } finally {
            for (VendorClient v : vendors) {
                v.close();
            }
        }
    }

    @Test
    void twentyConcurrentHttpPostsStoreOnce() throws Exception {
        String device = "NT-DUPH-" + UUID.randomUUID().toString().substring(0, 8);
        Pilot.vendors();
        Pilot.patientWithDevices(Pilot.organisation("Duphavn kommune", "municipality"), OffsetDateTime.now().minusDays(1), Pilot.CANONICAL,
                device);
        String messageId = UUID.randomUUID().toString();
        String payload = message(messageId, device);
        // The vendor's own system, as its OAuth client.
        String token = Tokens.vendor(Pilot.clientOf(Pilot.CANONICAL));
        List<Callable<Object>> posts = new ArrayList<>();
        List<Map<String, Object>> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < COPIES; i++) {
            posts.add(() -> {
                var r = given().auth().oauth2(token).contentType(ContentType.JSON).body(payload)
                        .post("/ingest/v1/{vendor}/{device}", Pilot.CANONICAL, device);
                answers.add(Map.of("code", r.statusCode(), "status", r.jsonPath().getString("status")));
                return null;
            });
        }
        runTogether(posts);
        assertThat(answers).hasSize(COPIES).allSatisfy(a -> assertThat(a.get("code")).isEqualTo(200));
        assertThat(answers).filteredOn(a -> "accepted".equals(a.get("status"))).hasSize(1);
        assertThat(answers).filteredOn(a -> "duplicate".equals(a.get("status"))).hasSize(COPIES - 1);
        try (Registry db = new Registry()) {
            assertThat(db.count("SELECT count(*) FROM reading WHERE identifier LIKE ?", messageId + "#%")).isEqualTo(2);
        }
    }

    @Test
    void theSameReadingUnderANewMessageIdIsADuplicateByContent() throws Exception {
        String device = "NT-DUPC-" + UUID.randomUUID().toString().substring(0, 8);
        Pilot.vendors();
        Pilot.patientWithDevices(Pilot.organisation("Dupdal kommune", "municipality"), OffsetDateTime.now().minusDays(1), Pilot.CANONICAL,
                device);
        String first = UUID.randomUUID().toString();
        String payload = message(first, device);
        String second = UUID.randomUUID().toString();
        try (VendorClient vendor = new VendorClient(); Registry db = new Registry()) {
            vendor.publish(Pilot.CANONICAL, device, payload);
            assertThat(vendor.awaitReceipt(first).get("status").asText()).isEqualTo("accepted");
            vendor.publish(Pilot.CANONICAL, device, payload.replace(first, second));
            assertThat(vendor.awaitReceipt(second).get("status").asText()).isEqualTo("duplicate");
            assertThat(db.count("SELECT count(*) FROM reading WHERE identifier LIKE ?", second + "#%")).isZero();
        }
    }
}
