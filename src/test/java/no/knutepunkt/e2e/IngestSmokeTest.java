package no.knutepunkt.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.Registry;
import no.knutepunkt.testing.TestIdentities;
import no.knutepunkt.testing.Tokens;
import no.knutepunkt.testing.VendorClient;

@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
class IngestSmokeTest {

    @Test
    void canonicalBloodPressureBecomesTwoObservations() throws Exception {
        String device = "NT-BP-" + UUID.randomUUID().toString().substring(0, 8);
        try (Registry r = new Registry(); VendorClient vendor = new VendorClient()) {
            UUID org = r.organisation("974760673", "Test kommune", "municipality");
            r.vendor("nordic-telecare", "canonical");
            long dev = r.device("nordic-telecare", device);
            UUID patient = r.patient(TestIdentities.fodselsnummer(java.time.LocalDate.of(1967, 5, 15), 0), "Kari", "Nordmann");
            UUID enrollment = r.enrollment(patient, org, OffsetDateTime.now().minusDays(30));
            r.assign(enrollment, dev, OffsetDateTime.now().minusDays(30), null);

            String messageId = UUID.randomUUID().toString();
            String at = OffsetDateTime.now(ZoneOffset.ofHours(1)).minusMinutes(1).withNano(0).toString();
            vendor.publish("nordic-telecare", device, """
                    {"messageId": "%s", "deviceId": "%s", "measuredAt": "%s",
                     "readings": [{"kind": "systolic", "value": 132, "unit": "mm[Hg]"},
                                  {"kind": "diastolic", "value": 84, "unit": "mm[Hg]"},
                                  {"kind": "pulse", "value": 71, "unit": "/min"}]}""".formatted(messageId, device, at));

            await().atMost(Duration.ofSeconds(20)).until(() -> !vendor.receipts(messageId).isEmpty());
            assertThat(vendor.receipts(messageId).get(0).get("status").asText()).isEqualTo("accepted");
            assertThat(r.count("SELECT count(*) FROM reading WHERE vendor_id = 'nordic-telecare' AND identifier LIKE ? AND state = 'stored'",
                    messageId + "#%")).isEqualTo(2);
            assertThat(r.count("SELECT count(*) FROM measurement m JOIN reading x ON x.id = m.observation_id WHERE x.identifier LIKE ?",
                    messageId + "#%")).isEqualTo(3);
        }
    }

    /** Regression: the error policy had an id, so it applied to no route and refused messages looped as poison. */
    @Test
    void aRefusedMessageIsDeadLetteredAndAcknowledgedNotRedelivered() throws Exception {
        String device = "NT-BAD-" + UUID.randomUUID().toString().substring(0, 8);
        try (Registry r = new Registry(); VendorClient vendor = new VendorClient()) {
            r.vendor("nordic-telecare", "canonical");
            vendor.publish("nordic-telecare", device, "this is not JSON");
            var receipt = vendor.awaitReceiptOf("nordic-telecare", device);
            assertThat(receipt.get("status").asText()).isEqualTo("rejected");
            assertThat(r.count("SELECT count(*) FROM dead_letter WHERE topic_device_id = ? AND reason_code = 'not-json'", device)).isEqualTo(1);
            // Acknowledged once: no redelivery adds a second inbound message.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                    .until(() -> r.count("SELECT count(*) FROM inbound_message WHERE topic_device_id = ?", device) == 1);
        }
    }

    /** The counts agree with the rows they count, after whatever the tests before this one did. */
    @Test
    void countsReconcileWithTheRows() {
        io.restassured.RestAssured.given().auth().oauth2(Tokens.operator()).get("/status/reconciliation").then().statusCode(200)
                .body("consistent", org.hamcrest.Matchers.is(true))
                .body("counts.balanced", org.hamcrest.Matchers.is(true));
    }
}
