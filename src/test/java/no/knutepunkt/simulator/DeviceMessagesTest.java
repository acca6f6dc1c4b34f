package no.knutepunkt.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The three vendor formats of device-contract.md, as the simulated devices write them. */
class DeviceMessagesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant ANCHOR = Instant.parse("2026-11-22T10:00:00Z");
    private static final Instant AT = Instant.parse("2026-11-21T07:31:12.345Z");

    private final SimulatedPilot pilot = PilotPlan.generate(9, 24, ANCHOR);
    private final Physiology body = new Physiology(9);
    private final DeviceMessages messages = new DeviceMessages(body);

    @Test
    void canonicalIsOneMessagePerDeviceUseWithTheNorwegianOffset() throws IOException {
        SimulatedPatient p = ordinary(Programme.HEART_FAILURE, SimulatedVendor.NORDIC_TELECARE);
        List<OutgoingMessage> sent = messages.write(session(p, DeviceType.SCALE, DeviceType.BP_CUFF));

        assertThat(sent).hasSize(2);
        JsonNode bp = json(sent.get(1));
        assertThat(sent.get(1).topic()).isEqualTo("knutepunkt/v1/nordic-telecare/" + p.device(DeviceType.BP_CUFF).serial() + "/measurements");
        assertThat(bp.get("deviceId").asText()).isEqualTo(p.device(DeviceType.BP_CUFF).serial());
        assertThat(bp.get("messageId").asText()).isEqualTo(sent.get(1).messageId());
        assertThat(OffsetDateTime.parse(bp.get("measuredAt").asText()).getOffset().getTotalSeconds()).isEqualTo(3600);
        assertThat(bp.get("readings")).extracting(r -> r.get("kind").asText())
                .containsExactly("systolic", "diastolic", "mean-arterial", "pulse");
        assertThat(sent.get(1).readings()).as("a blood-pressure panel and a pulse").isEqualTo(2);
        assertThat(json(sent.get(0)).get("readings").get(0).get("unit").asText()).isEqualTo("kg");
        // Same device, same instant: the same id again (a re-send is a duplicate, not a new reading).
        assertThat(messages.write(session(p, DeviceType.SCALE, DeviceType.BP_CUFF)).get(1).messageId()).isEqualTo(sent.get(1).messageId());
    }

    @Test
    void thePoundsScaleReportsInPounds() throws IOException {
        SimulatedPatient p = pilot.patients().stream().filter(x -> x.devices().stream().anyMatch(PatientDevice::poundsScale)).findFirst()
                .orElseThrow();
        JsonNode weight = json(messages.write(session(p, DeviceType.SCALE)).get(0));
        double kg = body.read(p, DeviceType.SCALE, AT.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)).get(0).value();

        assertThat(p.vendor()).isEqualTo(SimulatedVendor.NORDIC_TELECARE);
        JsonNode reading = weight.get("readings").get(0);
        assertThat(reading.get("unit").asText()).isEqualTo("[lb_av]");
        assertThat(reading.get("value").asDouble() * 0.45359237).isCloseTo(kg, within(0.05));
    }

    @Test
    void acmeFlatIsOneMessagePerReadingInEpochMilliseconds() throws IOException {
        SimulatedPatient p = ordinary(Programme.HEART_FAILURE, SimulatedVendor.ACME_MEDICAL);
        List<OutgoingMessage> sent = messages.write(session(p, DeviceType.SCALE, DeviceType.BP_CUFF));

        assertThat(sent).extracting(m -> json(m).get("metric").asText()).containsExactly("WEIGHT", "BP", "PULSE");
        assertThat(sent).allSatisfy(m -> assertThat(m.readings()).isEqualTo(1));
        JsonNode bp = json(sent.get(1));
        assertThat(bp.get("val").asText()).matches("\\d+/\\d+/\\d+");
        assertThat(bp.get("uom").asText()).isEqualTo("mmHg");
        assertThat(bp.get("ts").asLong()).isEqualTo((AT.getEpochSecond() + 120) * 1000);
        assertThat(bp.get("id").asText()).isEqualTo(sent.get(1).messageId()).startsWith("ACME-");
        assertThat(sent).extracting(OutgoingMessage::messageId).doesNotHaveDuplicates();
    }

    @Test
    void medgwBatchesTheSessionAndTheFactoryClockReportsTimesBefore2000() throws IOException {
        SimulatedPatient p = pilot.patients().stream().filter(x -> x.devices().stream().anyMatch(PatientDevice::factoryClock)).findFirst()
                .orElseThrow();
        assertThat(p.programme()).isEqualTo(Programme.HEART_FAILURE);
        List<OutgoingMessage> sent = messages.write(session(p, DeviceType.SCALE, DeviceType.BP_CUFF));

        assertThat(sent).hasSize(1);
        OutgoingMessage m = sent.get(0);
        JsonNode batch = json(m);
        String gateway = p.gateway().orElseThrow().serial();
        assertThat(m.topicDevice()).isEqualTo(gateway);
        assertThat(m.messageId()).isEqualTo(gateway + ":" + batch.get("sent").asText());
        JsonNode obs = batch.get("observations");
        assertThat(obs).extracting(o -> o.get("mdc").asInt()).containsExactly(188736, 150020, 149546);
        assertThat(m.readings()).as("weight, the NIBP compound, the cuff's pulse").isEqualTo(3);
        assertThat(obs.get(1).get("compound")).extracting(c -> c.get("mdc").asInt()).containsExactly(150021, 150022, 150023);
        Instant sentAt = Instant.parse(batch.get("sent").asText());
        assertThat(Instant.parse(obs.get(0).get("time").asText())).as("the scale's clock is right").isBefore(sentAt);
        assertThat(Instant.parse(obs.get(1).get("time").asText())).as("the cuff's clock was never set").isBefore(Instant.parse("2000-01-02T00:00:00Z"));
        assertThat(m.publishAt()).isEqualTo(sentAt);
        assertThat(obs).extracting(o -> o.get("seq").asLong()).isSorted().doesNotHaveDuplicates();
    }

    /** A patient the script leaves alone. */
    private SimulatedPatient ordinary(Programme programme, SimulatedVendor vendor) {
        return pilot.patients().stream().filter(p -> p.programme() == programme && p.vendor() == vendor && p.role().isEmpty())
                .findFirst().orElseThrow();
    }

    private static Session session(SimulatedPatient p, DeviceType... types) {
        List<Session.Use> uses = new java.util.ArrayList<>();
        for (int i = 0; i < types.length; i++) {
            uses.add(new Session.Use(p.device(types[i]), AT.plusSeconds(120L * i)));
        }
        return new Session(p, uses);
    }

    private static JsonNode json(OutgoingMessage m) {
        try {
            return JSON.readTree(m.payload());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
