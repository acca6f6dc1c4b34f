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

import no.knutepunkt.store.Tallies;
import no.knutepunkt.store.TallyDelta;
import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.Pilot;
import no.knutepunkt.testing.Registry;
import no.knutepunkt.testing.VendorClient;

import jakarta.inject.Inject;

/**
 * Readings from a device nobody has been given yet wait, parked, and find their patient when an
 * assignment covering their time is made — by the same rule as live readings, so a reading from
 * before the assignment stays parked rather than landing with the new patient.
 */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
class ParkedReplayTest {

    @Inject
    Tallies tallies;

    private static String spo2(String messageId, String device, OffsetDateTime at, int value) {
        return """
                {"messageId": "%s", "deviceId": "%s", "measuredAt": "%s", "readings": [{"kind": "spo2", "value": %d, "unit": "%%"}]}"""
                .formatted(messageId, device, at, value);
    }

    private TallyDelta canonical() {
        return tallies.totals().getOrDefault(Pilot.CANONICAL, TallyDelta.ZERO);
    }

    @Test
    void parkedReadingsAreRoutedWhenAnAssignmentCoversTheirTime() throws Exception {
        String device = "NT-PARK-" + UUID.randomUUID().toString().substring(0, 8);
        Pilot.vendors();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
        OffsetDateTime[] times = { now.minusHours(3), now.minusHours(2), now.minusHours(1) };
        String[] ids = { UUID.randomUUID().toString(), UUID.randomUUID().toString(), UUID.randomUUID().toString() };
        TallyDelta before = canonical();

        try (VendorClient vendor = new VendorClient(); Registry db = new Registry()) {
            // 1. Nobody knows the device: all three wait.
            for (int i = 0; i < 3; i++) {
                vendor.publish(Pilot.CANONICAL, device, spo2(ids[i], device, times[i], 95 - i));
                var receipt = vendor.awaitReceipt(ids[i]);
                assertThat(receipt.get("status").asText()).isEqualTo("parked");
                assertThat(receipt.get("reason").asText()).contains("not registered");
            }
            assertThat(db.count("SELECT count(*) FROM reading WHERE device_serial = ? AND state = 'parked'", device)).isEqualTo(3);
            TallyDelta parked = canonical();
            assertThat(parked.parked() - before.parked()).isEqualTo(3);
            assertThat(parked.balances()).isTrue();

            // 2. Registered and assigned from 2.5 hours ago: the two later readings find Kari; the first stays parked.
            UUID municipality = Pilot.organisation("Parkvik kommune", "municipality");
            Pilot.device(Pilot.CANONICAL, device);
            Pilot.Patient kari = Pilot.patient("Kari", "Parkert");
            UUID karisEnrollment = Pilot.enroll(kari, municipality, now.minusDays(1));
            Pilot.assign(karisEnrollment, Pilot.CANONICAL, device, now.minusMinutes(150), null);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> db.count("SELECT count(*) FROM reading WHERE device_serial = ? AND state = 'stored'", device) == 2);
            assertThat(db.text("SELECT state FROM reading WHERE identifier = ?", ids[0] + "#spo2")).isEqualTo("parked");
            assertThat(db.count("SELECT count(*) FROM reading r JOIN patient p ON p.id = r.patient_id WHERE r.device_serial = ? "
                    + "AND p.identifier = ?", device, kari.identifier())).isEqualTo(2);
            // Stored like any live reading: an Observation naming Kari, and its time-series row.
            assertThat(db.text("SELECT observation FROM reading WHERE identifier = ?", ids[2] + "#spo2")).contains(kari.identifier())
                    .contains("\"value\":93");
            assertThat(db.count("SELECT count(*) FROM measurement m JOIN reading r ON r.id = m.observation_id WHERE r.device_serial = ?",
                    device)).isEqualTo(2);
            TallyDelta routed = canonical();
            assertThat(routed.parked() - before.parked()).isEqualTo(1);
            assertThat(routed.stored() - parked.stored()).isEqualTo(2);
            assertThat(routed.received()).isEqualTo(parked.received());
            assertThat(routed.balances()).isTrue();

            // 3. The device had been Ola's before: assigning that earlier period routes the first reading to Ola, not Kari.
            Pilot.Patient ola = Pilot.patient("Ola", "Tidligere");
            UUID olasEnrollment = Pilot.enroll(ola, municipality, now.minusDays(2));
            Pilot.assign(olasEnrollment, Pilot.CANONICAL, device, now.minusHours(4), now.minusMinutes(150));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> "stored".equals(db.text("SELECT state FROM reading WHERE identifier = ?", ids[0] + "#spo2")));
            assertThat(db.text("SELECT p.identifier FROM reading r JOIN patient p ON p.id = r.patient_id WHERE r.identifier = ?",
                    ids[0] + "#spo2")).isEqualTo(ola.identifier());
            assertThat(canonical().parked()).isEqualTo(before.parked());
        }
    }

    @Test
    void aParkedReadingSentAgainIsADuplicateNotASecondParkedReading() throws Exception {
        String device = "NT-PARK2-" + UUID.randomUUID().toString().substring(0, 8);
        Pilot.vendors();
        String id = UUID.randomUUID().toString();
        String payload = spo2(id, device, OffsetDateTime.now(ZoneOffset.UTC).minusMinutes(5).truncatedTo(ChronoUnit.SECONDS), 96);
        try (VendorClient vendor = new VendorClient(); Registry db = new Registry()) {
            vendor.publish(Pilot.CANONICAL, device, payload);
            await().atMost(Duration.ofSeconds(30)).until(() -> !vendor.receipts(id).isEmpty());
            vendor.publish(Pilot.CANONICAL, device, payload);
            await().atMost(Duration.ofSeconds(30)).until(() -> vendor.receipts(id).size() == 2);
            assertThat(vendor.receipts(id)).extracting(r -> r.get("status").asText()).containsExactly("parked", "duplicate");
            assertThat(db.count("SELECT count(*) FROM reading WHERE device_serial = ?", device)).isEqualTo(1);
        }
    }
}
