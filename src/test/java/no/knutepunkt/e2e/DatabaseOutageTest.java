package no.knutepunkt.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import no.knutepunkt.embedded.EmbeddedPostgres;
import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.Registry;
import no.knutepunkt.testing.TestIdentities;
import no.knutepunkt.testing.VendorClient;

/**
 * Regression (review B2): while the database was away, a message from a vendor not in the lookup
 * cache was dead-lettered as "mapping failed" and its reading lost to the record. A reading is
 * only ever refused for what it is: the message waits, unacknowledged, and is stored once the
 * database is back.
 */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
class DatabaseOutageTest {

    @Test
    void aReadingSentWhileTheDatabaseIsDownIsStoredWhenItReturns() throws Exception {
        EmbeddedPostgres postgres = HubTestResource.postgres().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(postgres != null, "needs the embedded PostgreSQL to stop and start it");
        String vendorId = "outage-" + UUID.randomUUID().toString().substring(0, 8);
        String device = "OUT-" + UUID.randomUUID().toString().substring(0, 8);
        try (Registry r = new Registry()) {
            // Registered without ever being looked up, so no cache can answer for it.
            r.vendor(vendorId, "canonical");
            long dev = r.device(vendorId, device);
            UUID org = r.organisation(TestIdentities.orgNumber(), "Utfallvik kommune", "municipality");
            UUID patient = r.patient(TestIdentities.syntheticFnr(), "Ola", "Utfall");
            UUID enrollment = r.enrollment(patient, org, OffsetDateTime.now().minusDays(1));
            r.assign(enrollment, dev, OffsetDateTime.now().minusDays(1), null);
        }
        String messageId = UUID.randomUUID().toString();
        String at = OffsetDateTime.now(ZoneOffset.ofHours(1)).minusMinutes(1).truncatedTo(ChronoUnit.SECONDS).toString();
        try (VendorClient vendor = new VendorClient()) {
            postgres.stop();
            try {
                vendor.publish(vendorId, device, """
                        {"messageId": "%s", "deviceId": "%s", "measuredAt": "%s", "readings": [{"kind": "spo2", "value": 95, "unit": "%%"}]}"""
                        .formatted(messageId, device, at));
                // Down for longer than the vendor cache and the pool's waits: no verdict while it is away.
                await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(10)).until(() -> vendor.receipts(messageId).isEmpty());
            } finally {
                postgres.start();
            }
            await().atMost(Duration.ofSeconds(90)).until(() -> !vendor.receipts(messageId).isEmpty());
            assertThat(vendor.receipts(messageId)).extracting(x -> x.get("status").asText()).containsOnly("accepted");
        }
        try (Registry r = new Registry()) {
            assertThat(r.count("SELECT count(*) FROM dead_letter WHERE topic_device_id = ?", device)).isZero();
            assertThat(r.count("SELECT count(*) FROM reading WHERE vendor_id = ? AND state = 'stored'", vendorId)).isEqualTo(1);
        }
    }
}
