package no.knutepunkt.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;
import static no.knutepunkt.testing.VendorMessages.acme;
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

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.Ledger;
import no.knutepunkt.testing.Ledger.DeadLetter;
import no.knutepunkt.testing.Ledger.Inbound;
import no.knutepunkt.testing.Ledger.Reading;
import no.knutepunkt.testing.Ledger.Tally;
import no.knutepunkt.testing.Pilot;
import no.knutepunkt.testing.VendorClient;

/**
 * Every bad input of device-contract.md ("Bad input: what the vendor gets"), sent over MQTT as a
 * vendor would: the vendor gets a clear receipt, the hub keeps what arrived (a dead letter with
 * the raw bytes, a parked reading, or nothing new for a duplicate), every message has its inbound
 * row, and the counts still add up — in GET /status and in the tables.
 *
 * <p>Each case publishes on a device topic of its own, so its receipts, rows and dead letters are
 * its own; the counts are compared as differences, since other tests share the database.
 */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
class BadInputTest {

    /** device-contract.md: "> 64 KiB" is refused. */
    private static final int MAX_PAYLOAD = 64 * 1024;
    private static final String READING_FLAG = "https://knutepunkt.no/fhir/CodeSystem/reading-flag";
    private static final String DEVICE_REPORTED_TIME = "https://knutepunkt.no/fhir/StructureDefinition/device-reported-time";
    /** Norwegian time in winter, so that offsets other than Z are exercised. */
    private static final ZoneOffset OSLO_WINTER = ZoneOffset.ofHours(1);

    /**
     * Vendors of this run, in the contract's three formats. Other hubs may share the broker (each
     * test run has its own share group, so each gets every message): under vendor ids of its own,
     * this run's counts move only by its own messages, and other hubs refuse them as unknown.
     */
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String CANONICAL = "nordic-telecare-" + RUN;
    private static final String ACME = "acme-medical-" + RUN;
    private static final String MEDGW = "medgw-" + RUN;
    private static UUID municipality;

    private VendorClient vendor;
    private Ledger ledger;
    private final Map<String, Tally> before = new HashMap<>();

    /** A message as published, with the receipt it got. */
    private record Sent(String vendorId, String topicDevice, byte[] payload, JsonNode receipt) {
    }

    @BeforeEach
    void openPilot() throws Exception {
        Pilot.vendor(CANONICAL, "canonical");
        Pilot.vendor(ACME, "acme-flat");
        Pilot.vendor(MEDGW, "medgw");
        if (municipality == null) {
            municipality = Pilot.organisation("Testvik kommune", "municipality");
        }
        vendor = new VendorClient();
        ledger = new Ledger();
        for (String v : List.of(CANONICAL, ACME, MEDGW)) {
            before.put(v, Ledger.status(v));
        }
    }

    @AfterEach
    void close() throws Exception {
        vendor.close();
        ledger.close();
    }

    // --- not JSON, not UTF-8, > 64 KiB, nesting > 32: the message cannot be read at all ---

    @Test
    void notJsonIsDeadLetteredWithItsBytes() throws Exception {
        String device = serial("NT-NOTJSON");
        Sent s = send(CANONICAL, device, utf8("{\"messageId\": \"m-1\", \"deviceId\": "));

        assertUnreadable(s, "not-json", "JSON");
        assertCounted(CANONICAL, Tally.deadLettered(1));
    }

    static Stream<Arguments> notUtf8() {
        byte[] prefix = "{\"messageId\": \"".getBytes(StandardCharsets.US_ASCII);
        byte[] suffix = "\", \"readings\": []}".getBytes(StandardCharsets.US_ASCII);
        return Stream.of(
                // C3 starts a two-byte sequence; 28 '(' is not a continuation byte.
                Arguments.of("C3 28", concat(prefix, new byte[] { (byte) 0xC3, 0x28 }, suffix)),
                // A vendor that writes Latin-1: "ø" is the single byte F8, never valid in UTF-8.
                Arguments.of("ISO-8859-1", concat(prefix, "Bjørnstad".getBytes(StandardCharsets.ISO_8859_1), suffix)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void notUtf8(String what, byte[] payload) throws Exception {
        String device = serial("NT-LATIN");
        Sent s = send(CANONICAL, device, payload);

        assertUnreadable(s, "not-utf8", "UTF-8");
        assertCounted(CANONICAL, Tally.deadLettered(1));
    }

    @Test
    void payloadLargerThan64KiBIsDeadLetteredWhole() throws Exception {
        String device = serial("NT-LARGE");
        // Valid JSON, and otherwise a good message: only its size is wrong.
        String padding = "x".repeat(70_000);
        byte[] payload = utf8(withField(canonical(UUID.randomUUID().toString(), device, minutesAgo(1), spo2(95)),
                "\"note\": \"" + padding + "\""));
        assertThat(payload.length).isGreaterThan(MAX_PAYLOAD);

        Sent s = send(CANONICAL, device, payload);

        assertUnreadable(s, "too-large", String.valueOf(payload.length), String.valueOf(MAX_PAYLOAD));
        assertCounted(CANONICAL, Tally.deadLettered(1));
    }

    @Test
    void nestingDeeperThan32IsDeadLettered() throws Exception {
        String device = serial("NT-DEEP");
        // The root object is level 1, so 32 more levels make 33.
        byte[] payload = utf8(withField(canonical(UUID.randomUUID().toString(), device, minutesAgo(1), spo2(95)),
                nestedField("vendorExtension", 32)));

        Sent s = send(CANONICAL, device, payload);

        assertUnreadable(s, "too-deep", "32");
        assertCounted(CANONICAL, Tally.deadLettered(1));
    }

    @Test
    void nestingOfExactly32Passes() throws Exception {
        String device = assignedDevice(CANONICAL, "NT-DEPTH32");
        String messageId = UUID.randomUUID().toString();
        byte[] payload = utf8(withField(canonical(messageId, device, minutesAgo(1), spo2(95)), nestedField("vendorExtension", 31)));

        Sent s = send(CANONICAL, device, payload);

        assertThat(s.receipt().get("status").asText()).isEqualTo("accepted");
        assertThat(s.receipt().get("messageId").asText()).isEqualTo(messageId);
        assertThat(ledger.deadLetters(CANONICAL, device)).isEmpty();
        assertThat(ledger.readings(CANONICAL, device)).extracting(Reading::identifier, Reading::state)
                .containsExactly(tuple(messageId + "#spo2", "stored"));
        assertEveryMessageRecorded(s);
        assertCounted(CANONICAL, Tally.stored(1));
    }

    @Test
    void jsonArrayInsteadOfObjectIsDeadLettered() throws Exception {
        String device = serial("NT-ARRAY");
        byte[] payload = utf8("[" + canonical(UUID.randomUUID().toString(), device, minutesAgo(1), spo2(95)) + "]");

        Sent s = send(CANONICAL, device, payload);

        assertUnreadable(s, "not-json", "object");
        assertCounted(CANONICAL, Tally.deadLettered(1));
    }

    /**
     * Not a row of the contract's table: RFC 8259 leaves duplicate names' meaning open, so which
     * "messageId" would be meant is a guess. A vendor is better served by a refusal naming the field
     * than by the hub silently taking the last one; the hub counts it as not (readable) JSON.
     */
    @Test
    void duplicateFieldNamesAreAmbiguousAndDeadLettered() throws Exception {
        String device = serial("NT-DUPFIELD");
        byte[] payload = utf8(withField(canonical("m-b", device, minutesAgo(1), spo2(95)), "\"messageId\": \"m-a\""));

        Sent s = send(CANONICAL, device, payload);

        assertUnreadable(s, "not-json", "messageId");
        assertCounted(CANONICAL, Tally.deadLettered(1));
    }

    // --- unknown kind / metric / mdc, unit not convertible ---

    @Test
    void unknownCanonicalKindIsRejected() throws Exception {
        String device = assignedDevice(CANONICAL, "NT-KIND");
        String messageId = UUID.randomUUID().toString();
        Sent s = send(CANONICAL, device, canonical(messageId, device, minutesAgo(1),
                "{\"kind\": \"bloodsugar\", \"value\": 6.1, \"unit\": \"mmol/L\"}"));

        assertRejected(s, messageId, "unknown-kind", List.of(messageId + "#bloodsugar"), "bloodsugar");
        assertCounted(CANONICAL, Tally.deadLettered(1));
    }

    @Test
    void unknownAcmeMetricIsRejected() throws Exception {
        String device = assignedDevice(ACME, "AC-METRIC");
        String messageId = "ACME-" + UUID.randomUUID();
        Sent s = send(ACME, device, acme(messageId, device, minutesAgo(1).toInstant().toEpochMilli(), "BMI", "24.1", "kg/m2"));

        // The mapping passes an unknown metric through under its own name, so the vendor sees it named.
        assertRejected(s, messageId, "unknown-kind", List.of(messageId + "#BMI"), "BMI");
        assertCounted(ACME, Tally.deadLettered(1));
    }

    @Test
    void unknownMdcRejectsOnlyItsObservationAndTheBatchIsPartial() throws Exception {
        String oximeter = assignedDevice(MEDGW, "OX");
        String gateway = serial("GW");
        String sent = iso(minutesAgo(1).withOffsetSameInstant(ZoneOffset.UTC));
        String time = iso(minutesAgo(2).withOffsetSameInstant(ZoneOffset.UTC));
        Sent s = send(MEDGW, gateway, medgw(gateway, sent,
                observation(1, oximeter, 150456, "94", 544, time),
                // 123456 is no MDC measurement code of the contract.
                observation(2, oximeter, 123456, "5", 544, time)));

        JsonNode receipt = s.receipt();
        assertThat(receipt.get("messageId").asText()).isEqualTo(gateway + ":" + sent);
        assertThat(receipt.get("status").asText()).isEqualTo("partial");
        assertThat(receipt.get("reason").asText()).contains("1 accepted").contains("1 rejected");
        JsonNode good = result(receipt, gateway + ":1");
        assertThat(good.get("status").asText()).isEqualTo("accepted");
        assertThat(good.get("observationIds")).hasSize(1);
        JsonNode bad = result(receipt, gateway + ":2");
        assertThat(bad.get("status").asText()).isEqualTo("rejected");
        assertThat(bad.get("reason").asText()).contains("123456");

        assertDeadLetters(s, "unknown-kind", List.of(gateway + ":2"));
        List<Reading> readings = ledger.readings(MEDGW, oximeter);
        assertThat(readings).extracting(Reading::identifier, Reading::state)
                .containsExactly(tuple(gateway + ":1", "stored"));
        assertThat(readings.get(0).observation().get("id").asText()).isEqualTo(good.get("observationIds").get(0).asText());
        assertEveryMessageRecorded(s);
        assertCounted(MEDGW, new Tally(2, 1, 0, 0, 1));
    }

    @Test
    void canonicalUnitOfAnotherDimensionIsRejected() throws Exception {
        String device = assignedDevice(CANONICAL, "NT-UNIT");
        String messageId = UUID.randomUUID().toString();
        // mm[Hg] is valid UCUM, but a pressure is no weight.
        Sent s = send(CANONICAL, device, canonical(messageId, device, minutesAgo(1),
                "{\"kind\": \"weight\", \"value\": 80, \"unit\": \"mm[Hg]\"}"));

        assertRejected(s, messageId, "unit-not-convertible", List.of(messageId + "#weight"), "mm[Hg]");
        assertCounted(CANONICAL, Tally.deadLettered(1));
    }

    @Test
    void acmeUnitLabelOutsideTheContractIsRejected() throws Exception {
        String device = assignedDevice(ACME, "AC-STONE");
        String messageId = "ACME-" + UUID.randomUUID();
        Sent s = send(ACME, device, acme(messageId, device, minutesAgo(1).toInstant().toEpochMilli(), "WEIGHT", "12.5", "stone"));

        assertRejected(s, messageId, "unit-not-convertible", List.of(messageId + "#weight"), "stone");
        assertCounted(ACME, Tally.deadLettered(1));
    }

    /** Acme's contract lists its uom labels; a valid UCUM code outside that list is still not one of them. */
    @Test
    void acmeUnitLabelOutsideItsListIsRejectedEvenIfUcum() throws Exception {
        String device = assignedDevice(ACME, "AC-STONE");
        String messageId = "ACME-" + UUID.randomUUID();
        Sent s = send(ACME, device, acme(messageId, device, minutesAgo(1).toInstant().toEpochMilli(), "WEIGHT", "12.5", "[stone_av]"));

        assertRejected(s, messageId, "unit-not-convertible", List.of(messageId + "#weight"), "[stone_av]");
        assertCounted(ACME, Tally.deadLettered(1));
    }

    @Test
    void unknownMdcUnitCodeIsRejected() throws Exception {
        String scale = assignedDevice(MEDGW, "SC");
        String gateway = serial("GW");
        String sent = iso(minutesAgo(1).withOffsetSameInstant(ZoneOffset.UTC));
        Sent s = send(MEDGW, gateway, medgw(gateway, sent,
                observation(7, scale, 188736, "81.2", 9999, iso(minutesAgo(2).withOffsetSameInstant(ZoneOffset.UTC)))));

        // A batch whose only observation is refused: every reading shares "rejected", so the batch does too.
        assertRejected(s, gateway + ":" + sent, "unit-not-convertible", List.of(gateway + ":7"), "9999");
        assertThat(ledger.readings(MEDGW, scale)).isEmpty();
        assertCounted(MEDGW, Tally.deadLettered(1));
    }

    // --- physically impossible, NaN, ±Inf; extreme but possible is kept ---

    @Test
    void spo2Above100PercentIsRejected() throws Exception {
        String device = assignedDevice(CANONICAL, "NT-SPO2");
        String messageId = UUID.randomUUID().toString();
        Sent s = send(CANONICAL, device, canonical(messageId, device, minutesAgo(1), spo2(120)));

        assertRejected(s, messageId, "implausible-value", List.of(messageId + "#spo2"), "spo2", "120");
        assertCounted(CANONICAL, Tally.deadLettered(1));
    }

    @Test
    void bodyTemperatureOf50CelsiusIsRejected() throws Exception {
        String device = assignedDevice(ACME, "AC-TEMP");
        String messageId = "ACME-" + UUID.randomUUID();
        Sent s = send(ACME, device, acme(messageId, device, minutesAgo(1).toInstant().toEpochMilli(), "TEMP", "50", "C"));

        // clinical-coding.md: body temperature is possible from 20 to 46 °C.
        assertRejected(s, messageId, "implausible-value", List.of(messageId + "#temperature"), "temperature", "50");
        assertCounted(ACME, Tally.deadLettered(1));
    }

    @Test
    void diastolicNotBelowSystolicIsRejected() throws Exception {
        String device = assignedDevice(CANONICAL, "NT-BPEQ");
        String messageId = UUID.randomUUID().toString();
        // Both within their own ranges; equal pressures are still impossible ("diastolic < systolic").
        Sent s = send(CANONICAL, device, canonical(messageId, device, minutesAgo(1),
                "{\"kind\": \"systolic\", \"value\": 90, \"unit\": \"mm[Hg]\"}",
                "{\"kind\": \"diastolic\", \"value\": 90, \"unit\": \"mm[Hg]\"}"));

        assertRejected(s, messageId, "implausible-value", List.of(messageId + "#bp"), "diastolic", "systolic");
        assertCounted(CANONICAL, Tally.deadLettered(1));
    }

    @Test
    void nanAsAStringIsRejected() throws Exception {
        String device = assignedDevice(CANONICAL, "NT-NAN");
        String messageId = UUID.randomUUID().toString();
        Sent s = send(CANONICAL, device, canonical(messageId, device, minutesAgo(1),
                "{\"kind\": \"pulse\", \"value\": \"NaN\", \"unit\": \"/min\"}"));

        assertRejected(s, messageId, "not-a-number", List.of(messageId + "#pulse"), "NaN");
        assertCounted(CANONICAL, Tally.deadLettered(1));
    }

    @Test
    void nonNumericValueIsRejected() throws Exception {
        String device = assignedDevice(ACME, "AC-TEXT");
        String messageId = "ACME-" + UUID.randomUUID();
        Sent s = send(ACME, device, acme(messageId, device, minutesAgo(1).toInstant().toEpochMilli(), "PULSE", "\"seventy\"", "bpm"));

        assertRejected(s, messageId, "not-a-number", List.of(messageId + "#pulse"), "seventy");
        assertCounted(ACME, Tally.deadLettered(1));
    }

    @Test
    void nonNumericBloodPressureIsRejected() throws Exception {
        String device = assignedDevice(ACME, "AC-BPTEXT");
        String messageId = "ACME-" + UUID.randomUUID();
        Sent s = send(ACME, device, acme(messageId, device, minutesAgo(1).toInstant().toEpochMilli(), "BP", "\"high/low\"", "mmHg"));

        assertRejected(s, messageId, "not-a-number", List.of(messageId + "#bp"), "high");
        assertCounted(ACME, Tally.deadLettered(1));
    }

    /**
     * 1e999 is valid JSON, but as a double it is +Infinity ("±Inf" in the contract); read exactly it
     * is far beyond any weight. Either way it is refused, and the reason must stay short enough to
     * read: not a thousand digits.
     */
    @Test
    void overflowingNumberIsRejected() throws Exception {
        String device = assignedDevice(CANONICAL, "NT-INF");
        String messageId = UUID.randomUUID().toString();
        Sent s = send(CANONICAL, device, canonical(messageId, device, minutesAgo(1),
                "{\"kind\": \"weight\", \"value\": 1e999, \"unit\": \"kg\"}"));

        JsonNode receipt = s.receipt();
        assertThat(receipt.get("status").asText()).isEqualTo("rejected");
        assertThat(receipt.get("reason").asText()).contains("weight").hasSizeLessThan(300);
        List<DeadLetter> dead = assertDeadLetters(s, null, List.of(messageId + "#weight"));
        assertThat(dead.get(0).reasonCode()).isIn("not-a-number", "implausible-value");
        assertThat(ledger.readings(CANONICAL, device)).isEmpty();
        assertEveryMessageRecorded(s);
        assertCounted(CANONICAL, Tally.deadLettered(1));
    }

    @Test
    void extremeButPossibleSpo2IsStored() throws Exception {
        String device = assignedDevice(CANONICAL, "NT-SPO2LOW");
        String messageId = UUID.randomUUID().toString();
        // clinical-coding.md: "an extreme but possible value (SpO2 45 %) is stored ... never thrown away".
        Sent s = send(CANONICAL, device, canonical(messageId, device, minutesAgo(1), spo2(45)));

        assertThat(s.receipt().get("status").asText()).isEqualTo("accepted");
        assertThat(s.receipt().has("reason")).isFalse();
        List<Reading> readings = ledger.readings(CANONICAL, device);
        assertThat(readings).extracting(Reading::state).containsExactly("stored");
        JsonNode value = readings.get(0).observation().get("valueQuantity");
        assertThat(value.get("value").decimalValue()).isEqualByComparingTo("45");
        assertThat(value.get("code").asText()).isEqualTo("%");
        assertThat(ledger.deadLetters(CANONICAL, device)).isEmpty();
        assertEveryMessageRecorded(s);
        assertCounted(CANONICAL, Tally.stored(1));
    }

    // --- times ---

    @Test
    void measuredAtWithoutTimeZoneIsRejected() throws Exception {
        String device = assignedDevice(CANONICAL, "NT-NOZONE");
        String messageId = UUID.randomUUID().toString();
        String local = minutesAgo(1).toLocalDateTime().withNano(0).toString();
        Sent s = send(CANONICAL, device, """
                {"messageId": "%s", "deviceId": "%s", "measuredAt": "%s", "readings": [%s]}"""
                .formatted(messageId, device, local, spo2(95)));

        assertRejected(s, messageId, "missing-time-zone", List.of(messageId + "#spo2"), local);
        assertCounted(CANONICAL, Tally.deadLettered(1));
    }

    @Test
    void timeMoreThanFiveMinutesInTheFutureIsRejected() throws Exception {
        String device = assignedDevice(CANONICAL, "NT-FUTURE");
        String messageId = UUID.randomUUID().toString();
        OffsetDateTime inTenMinutes = OffsetDateTime.now(OSLO_WINTER).plusMinutes(10).withNano(0);
        Sent s = send(CANONICAL, device, canonical(messageId, device, inTenMinutes, spo2(95)));

        assertRejected(s, messageId, "time-in-future", List.of(messageId + "#spo2"), "5 minutes");
        assertCounted(CANONICAL, Tally.deadLettered(1));
    }

    @Test
    void clockFourMinutesAheadIsAccepted() throws Exception {
        String device = assignedDevice(CANONICAL, "NT-AHEAD");
        String messageId = UUID.randomUUID().toString();
        // "In the future" is later than receipt + 5 minutes; a device clock a little fast is normal.
        OffsetDateTime fourMinutesAhead = OffsetDateTime.now(OSLO_WINTER).plusMinutes(4).withNano(0);
        Sent s = send(CANONICAL, device, canonical(messageId, device, fourMinutesAhead, spo2(95)));

        assertThat(s.receipt().get("status").asText()).isEqualTo("accepted");
        assertThat(ledger.readings(CANONICAL, device)).extracting(Reading::state).containsExactly("stored");
        assertEveryMessageRecorded(s);
        assertCounted(CANONICAL, Tally.stored(1));
    }

    @Test
    void timeBefore2000IsRejected() throws Exception {
        String device = assignedDevice(CANONICAL, "NT-Y2K");
        String messageId = UUID.randomUUID().toString();
        // A clock reset to its factory date: before 2000-01-02 whatever the zone.
        OffsetDateTime reset = OffsetDateTime.of(2000, 1, 1, 8, 0, 0, 0, OSLO_WINTER);
        Sent s = send(CANONICAL, device, canonical(messageId, device, reset, spo2(95)));

        assertRejected(s, messageId, "time-too-early", List.of(messageId + "#spo2"), "2000-01-02");
        assertCounted(CANONICAL, Tally.deadLettered(1));
    }

    @Test
    void acmeTimestampInSecondsLandsIn1970AndIsRejected() throws Exception {
        String device = assignedDevice(ACME, "AC-SECONDS");
        String messageId = "ACME-" + UUID.randomUUID();
        long seconds = minutesAgo(1).toEpochSecond();
        Sent s = send(ACME, device, acme(messageId, device, seconds, "SPO2", "96", "%"));

        assertRejected(s, messageId, "time-too-early", List.of(messageId + "#spo2"), "1970");
        assertCounted(ACME, Tally.deadLettered(1));
    }

    static Stream<Arguments> badDeviceClock() {
        return Stream.of(
                // More than 5 minutes after the gateway's send time.
                Arguments.of("an hour after sent", Duration.ofHours(1)),
                // A device clock that never got set.
                Arguments.of("1970", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badDeviceClock")
    void badDeviceClockIsStoredAtTheGatewaySendTime(String what, Duration afterSent) throws Exception {
        String oximeter = assignedDevice(MEDGW, "OX-CLOCK");
        String gateway = serial("GW");
        OffsetDateTime sentAt = minutesAgo(1).withOffsetSameInstant(ZoneOffset.UTC);
        OffsetDateTime deviceTime = afterSent == null ? OffsetDateTime.of(1970, 1, 1, 0, 0, 12, 0, ZoneOffset.UTC)
                : sentAt.plus(afterSent);
        String sent = iso(sentAt);
        Sent s = send(MEDGW, gateway, medgw(gateway, sent, observation(5, oximeter, 150456, "93", 544, iso(deviceTime))));

        assertThat(s.receipt().get("status").asText()).isEqualTo("accepted");
        assertThat(result(s.receipt(), gateway + ":5").get("status").asText()).isEqualTo("accepted");
        List<Reading> readings = ledger.readings(MEDGW, oximeter);
        assertThat(readings).extracting(Reading::state).containsExactly("stored");
        Reading r = readings.get(0);
        assertThat(r.effective().toInstant()).isEqualTo(sentAt.toInstant());
        JsonNode observation = r.observation();
        // device-contract.md, "bad clock": effective = sent (its offset, Z, kept), the device's own time in the extension.
        assertThat(observation.get("effectiveDateTime").asText()).isEqualTo(sent);
        assertThat(observation.path("meta").path("tag")).anySatisfy(tag -> {
            assertThat(tag.get("system").asText()).isEqualTo(READING_FLAG);
            assertThat(tag.get("code").asText()).isEqualTo("bad-device-clock");
        });
        assertThat(observation.path("extension")).anySatisfy(ext -> {
            assertThat(ext.get("url").asText()).isEqualTo(DEVICE_REPORTED_TIME);
            assertThat(OffsetDateTime.parse(ext.get("valueDateTime").asText()).toInstant()).isEqualTo(deviceTime.toInstant());
        });
        assertThat(ledger.deadLetters(MEDGW, gateway)).isEmpty();
        assertEveryMessageRecorded(s);
        assertCounted(MEDGW, Tally.stored(1));
    }

    // --- topic/payload device mismatch, vendor not owner of device ---

    @Test
    void payloadDeviceOtherThanTopicDeviceIsRejected() throws Exception {
        String device = assignedDevice(CANONICAL, "NT-TOPIC");
        String other = assignedDevice(CANONICAL, "NT-PAYLOAD");
        String messageId = UUID.randomUUID().toString();
        Sent s = send(CANONICAL, device, canonical(messageId, other, minutesAgo(1), spo2(95)));

        assertRejected(s, messageId, "device-mismatch", List.of(messageId + "#spo2"), device, other);
        assertThat(ledger.readings(CANONICAL, other)).isEmpty();
        assertCounted(CANONICAL, Tally.deadLettered(1));
    }

    @Test
    void deviceOfAnotherVendorIsRejectedAsForeign() throws Exception {
        String acmeScale = serial("AC-OWNED");
        Pilot.device(ACME, acmeScale);
        String messageId = UUID.randomUUID().toString();
        Sent s = send(CANONICAL, acmeScale, canonical(messageId, acmeScale, minutesAgo(1), spo2(95)));

        assertRejected(s, messageId, "foreign-device", List.of(messageId + "#spo2"), acmeScale, CANONICAL);
        assertThat(ledger.readings(ACME, acmeScale)).isEmpty();
        assertCounted(CANONICAL, Tally.deadLettered(1));
        assertCounted(ACME, Tally.ZERO);
    }

    /** Review S14: a gateway speaks for the devices behind it, so it must be its own vendor's too. */
    @Test
    void gatewayOfAnotherVendorIsRejectedWithEveryReading() throws Exception {
        String scale = assignedDevice(MEDGW, "SC");
        String gateway = serial("GW-OWNED");
        Pilot.device(ACME, gateway);
        String sent = iso(minutesAgo(1).withOffsetSameInstant(ZoneOffset.UTC));
        String time = iso(minutesAgo(2).withOffsetSameInstant(ZoneOffset.UTC));
        Sent s = send(MEDGW, gateway, medgw(gateway, sent, observation(1, scale, 188736, "81.2", 1731, time),
                observation(2, scale, 999999, "1", 1731, time)));

        // The readings the gateway carried, the good one and the one already refused for its code, are all rejected.
        JsonNode receipt = s.receipt();
        assertThat(receipt.get("status").asText()).isEqualTo("rejected");
        assertThat(receipt.get("reason").asText()).contains(gateway);
        assertThat(receipt.get("results")).extracting(r -> r.get("key").asText()).containsExactlyInAnyOrder(gateway + ":1", gateway + ":2");
        assertThat(ledger.readings(MEDGW, scale)).isEmpty();
        assertCounted(MEDGW, Tally.deadLettered(2));
    }

    @Test
    void unregisteredVendorIsRejected() throws Exception {
        String stranger = serial("no-such-vendor");
        String device = serial("XX");
        String messageId = UUID.randomUUID().toString();
        // Every other hub on the broker refuses it the same way, so its receipt may come more than once.
        Sent s = publish(stranger, device, utf8(canonical(messageId, device, minutesAgo(1), spo2(95))));

        assertUnreadable(s, "unknown-vendor", stranger);
        assertCounted(stranger, Tally.deadLettered(1));
    }

    @Test
    void deviceIdLongerThan64CharactersIsRejected() throws Exception {
        // device-contract.md, Transport: ids are [A-Za-z0-9._-]{1,64}.
        String device = serial("NT-LONG") + "-" + "0".repeat(64);
        Sent s = send(CANONICAL, device, canonical(UUID.randomUUID().toString(), device, minutesAgo(1), spo2(95)));

        assertUnreadable(s, "bad-topic", "64");
        assertCounted(CANONICAL, Tally.deadLettered(1));
    }

    // --- unknown device, no assignment covering the reading's time: parked ---

    @Test
    void unknownDeviceIsParked() throws Exception {
        String device = serial("NT-UNKNOWN");
        String messageId = UUID.randomUUID().toString();
        Sent s = send(CANONICAL, device, canonical(messageId, device, minutesAgo(1), spo2(95)));

        assertParked(s, messageId, device, List.of(messageId + "#spo2"), device);
        assertCounted(CANONICAL, Tally.parked(1));
    }

    @Test
    void parkedReadingIsStoredOnceAnAssignmentCoversIt() throws Exception {
        String device = serial("NT-LATER");
        String messageId = UUID.randomUUID().toString();
        Sent s = send(CANONICAL, device, canonical(messageId, device, minutesAgo(10), spo2(94)));
        assertParked(s, messageId, device, List.of(messageId + "#spo2"), device);

        // The municipality registers the device and hands it out, backdated to before the reading.
        Pilot.patientWithDevices(municipality, OffsetDateTime.now(OSLO_WINTER).minusDays(1).withNano(0), CANONICAL, device);

        await().atMost(Duration.ofSeconds(30))
                .until(() -> ledger.readings(CANONICAL, device).stream().allMatch(r -> r.state().equals("stored")));
        assertThat(ledger.readings(CANONICAL, device).get(0).observation().get("identifier").get(0).get("value").asText())
                .isEqualTo(messageId + "#spo2");
        // The receipt said "parked"; the count moves from parked to stored, and still balances.
        assertCounted(CANONICAL, Tally.stored(1));
    }

    @Test
    void registeredButUnassignedDeviceIsParked() throws Exception {
        String device = serial("NT-SHELF");
        Pilot.device(CANONICAL, device);
        String messageId = UUID.randomUUID().toString();
        Sent s = send(CANONICAL, device, canonical(messageId, device, minutesAgo(1), spo2(95)));

        assertParked(s, messageId, device, List.of(messageId + "#spo2"), "assignment");
        assertCounted(CANONICAL, Tally.parked(1));
    }

    @Test
    void readingFromBeforeTheAssignmentStartIsParked() throws Exception {
        String device = serial("NT-NEWUSER");
        OffsetDateTime handedOut = OffsetDateTime.now(OSLO_WINTER).minusHours(1).withNano(0);
        Pilot.patientWithDevices(municipality, handedOut, CANONICAL, device);
        String messageId = UUID.randomUUID().toString();
        // Measured before the new user got the device: maybe the previous user's, or a warehouse test.
        Sent s = send(CANONICAL, device, canonical(messageId, device, handedOut.minusHours(1), spo2(95)));

        assertParked(s, messageId, device, List.of(messageId + "#spo2"), "assignment");
        assertCounted(CANONICAL, Tally.parked(1));
    }

    // --- the same reading again: duplicate, nothing new stored ---

    @Test
    void sameMessageAgainIsDuplicate() throws Exception {
        String device = assignedDevice(CANONICAL, "NT-AGAIN");
        String messageId = UUID.randomUUID().toString();
        String message = canonical(messageId, device, minutesAgo(1), bloodPressure(132, 84), pulse(71));
        Sent first = send(CANONICAL, device, message);
        List<Reading> stored = ledger.readings(CANONICAL, device);

        Sent again = send(CANONICAL, device, message);

        assertThat(first.receipt().get("status").asText()).isEqualTo("accepted");
        assertThat(again.receipt().get("status").asText()).isEqualTo("duplicate");
        assertThat(again.receipt().get("reason").asText()).isNotBlank();
        assertThat(again.receipt().get("results")).extracting(r -> r.get("key").asText(), r -> r.get("status").asText())
                .containsExactlyInAnyOrder(tuple(messageId + "#bp", "duplicate"),
                        tuple(messageId + "#pulse", "duplicate"));
        assertThat(stored).hasSize(2);
        assertThat(ledger.readings(CANONICAL, device)).isEqualTo(stored);
        assertThat(ledger.deadLetters(CANONICAL, device)).isEmpty();
        assertEveryMessageRecorded(first, again);
        assertCounted(CANONICAL, new Tally(4, 2, 2, 0, 0));
    }

    @Test
    void sameReadingUnderANewMessageIdIsDuplicate() throws Exception {
        String device = assignedDevice(CANONICAL, "NT-RESEND");
        OffsetDateTime measured = minutesAgo(3);
        String firstId = UUID.randomUUID().toString();
        String secondId = UUID.randomUUID().toString();
        Sent first = send(CANONICAL, device, canonical(firstId, device, measured, spo2(97)));
        // Same device, kind, value and instant; written in UTC this time (clinical-coding.md compares the instant).
        Sent second = send(CANONICAL, device, canonical(secondId, device, measured.withOffsetSameInstant(ZoneOffset.UTC), spo2(97)));

        assertThat(first.receipt().get("status").asText()).isEqualTo("accepted");
        assertThat(second.receipt().get("status").asText()).isEqualTo("duplicate");
        assertThat(result(second.receipt(), secondId + "#spo2").get("status").asText()).isEqualTo("duplicate");
        assertThat(ledger.readings(CANONICAL, device)).extracting(Reading::identifier).containsExactly(firstId + "#spo2");
        assertEveryMessageRecorded(first, second);
        assertCounted(CANONICAL, new Tally(2, 1, 1, 0, 0));
    }

    // --- an atomic message is refused whole ---

    @Test
    void oneImpossibleReadingRefusesTheWholeCanonicalMessage() throws Exception {
        String device = assignedDevice(CANONICAL, "NT-ATOMIC");
        String messageId = UUID.randomUUID().toString();
        Sent s = send(CANONICAL, device, canonical(messageId, device, minutesAgo(1), bloodPressure(132, 84), pulse(71), spo2(120)));

        List<String> keys = List.of(messageId + "#bp", messageId + "#pulse", messageId + "#spo2");
        assertRejected(s, messageId, "implausible-value", keys, "spo2", "120");
        assertCounted(CANONICAL, Tally.deadLettered(keys.size()));
    }

    // --- assertions ---

    /** A message that could not be read: rejected, one dead letter without a reading key. */
    private void assertUnreadable(Sent s, String reasonCode, String... reasonMentions) throws Exception {
        JsonNode receipt = s.receipt();
        assertThat(receipt.get("status").asText()).isEqualTo("rejected");
        assertThat(receipt.get("reason").asText()).contains(reasonMentions);
        // It counts as one dead-lettered reading, so it has one result.
        assertThat(receipt.get("results")).hasSize(1);
        assertThat(receipt.get("results").get(0).get("status").asText()).isEqualTo("rejected");
        assertThat(receipt.get("results").get(0).get("reason").asText()).isEqualTo(receipt.get("reason").asText());
        List<String> noKey = new ArrayList<>();
        noKey.add(null);
        assertDeadLetters(s, reasonCode, noKey);
        assertEveryMessageRecorded(s);
    }

    /** A readable message refused: every reading key rejected with a reason, dead-lettered, nothing stored. */
    private void assertRejected(Sent s, String messageId, String reasonCode, List<String> keys, String... reasonMentions)
            throws Exception {
        JsonNode receipt = s.receipt();
        // The message could be read, so the vendor can match the receipt to it by its own id.
        assertThat(receipt.path("messageId").asText()).as("the receipt's messageId").isEqualTo(messageId);
        assertThat(receipt.get("status").asText()).isEqualTo("rejected");
        assertThat(receipt.get("reason").asText()).contains(reasonMentions);
        assertThat(receipt.get("results")).extracting(r -> r.path("key").asText()).containsExactlyInAnyOrderElementsOf(keys);
        assertThat(receipt.get("results")).allSatisfy(r -> {
            assertThat(r.get("status").asText()).isEqualTo("rejected");
            assertThat(r.get("reason").asText()).isNotBlank();
            assertThat(r.has("observationIds")).isFalse();
        });
        assertDeadLetters(s, reasonCode, keys);
        assertThat(ledger.readings(s.vendorId(), s.topicDevice())).isEmpty();
        assertEveryMessageRecorded(s);
    }

    /** Valid but not routable: parked, a reading row waiting, no dead letter. */
    private void assertParked(Sent s, String messageId, String device, List<String> keys, String reasonMention) throws Exception {
        JsonNode receipt = s.receipt();
        assertThat(receipt.get("messageId").asText()).isEqualTo(messageId);
        assertThat(receipt.get("status").asText()).isEqualTo("parked");
        assertThat(receipt.get("reason").asText()).contains(reasonMention);
        assertThat(receipt.get("results")).extracting(r -> r.get("key").asText(), r -> r.get("status").asText())
                .containsExactlyInAnyOrderElementsOf(keys.stream().map(k -> tuple(k, "parked")).toList());
        List<Reading> readings = ledger.readings(s.vendorId(), device);
        assertThat(readings).extracting(Reading::identifier).containsExactlyInAnyOrderElementsOf(keys);
        assertThat(readings).allSatisfy(r -> {
            assertThat(r.state()).isEqualTo("parked");
            assertThat(r.parkedReason()).contains(reasonMention);
            assertThat(r.observation()).isNull();
        });
        assertThat(ledger.deadLetters(s.vendorId(), s.topicDevice())).isEmpty();
        assertEveryMessageRecorded(s);
    }

    /**
     * The dead letters of the message: one per key, each with the reason code (when given) and
     * the raw payload exactly as sent, tied to the message's inbound row.
     */
    private List<DeadLetter> assertDeadLetters(Sent s, String reasonCode, List<String> keys) throws Exception {
        List<DeadLetter> dead = ledger.deadLetters(s.vendorId(), s.topicDevice());
        assertThat(dead).extracting(DeadLetter::readingKey).containsExactlyInAnyOrderElementsOf(keys);
        List<Inbound> inbound = ledger.inbound(s.vendorId(), s.topicDevice());
        assertThat(inbound).hasSize(1);
        for (DeadLetter d : dead) {
            if (reasonCode != null) {
                assertThat(d.reasonCode()).isEqualTo(reasonCode);
            }
            assertThat(d.reason()).isNotBlank();
            assertThat(d.payload()).isEqualTo(s.payload());
            assertThat(d.inboundMessageId()).isEqualTo(inbound.get(0).id());
        }
        return dead;
    }

    /** Nothing vanishes: each message published on the topic has its inbound row, raw bytes and receipt. */
    private void assertEveryMessageRecorded(Sent... sent) throws Exception {
        List<Inbound> inbound = ledger.inbound(sent[0].vendorId(), sent[0].topicDevice());
        assertThat(inbound).hasSize(sent.length);
        for (int i = 0; i < sent.length; i++) {
            Inbound row = inbound.get(i);
            assertThat(row.transport()).isEqualTo("mqtt");
            assertThat(row.payload()).isEqualTo(sent[i].payload());
            assertThat(row.status()).isEqualTo(sent[i].receipt().get("status").asText());
            assertThat(row.receipt()).isEqualTo(sent[i].receipt());
        }
    }

    /**
     * The vendor's counts moved by exactly what the contract says this test's messages become,
     * GET /status calls them balanced, and they agree with the tables.
     */
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

    private Sent send(String vendorId, String device, String payload) throws Exception {
        return send(vendorId, device, utf8(payload));
    }

    /** Publishes on the device's topic; returns this hub's receipt for it. */
    private Sent send(String vendorId, String device, byte[] payload) throws Exception {
        Sent s = publish(vendorId, device, payload);
        // Other hubs on the broker can only refuse this run's vendors as unknown, never answer like this hub.
        assertThat(copies(s)).as("one receipt per message").isEqualTo(1);
        return s;
    }

    /**
     * Publishes, waits for the message's inbound row and then for the receipt stored with it to
     * reach the vendor. Receipts are matched to what this hub stored, since every hub on the broker
     * answers on the same topic.
     */
    private Sent publish(String vendorId, String device, byte[] payload) throws Exception {
        int seen = ledger.inbound(vendorId, device).size();
        vendor.publish(vendorId, device, payload);
        List<Inbound> rows = await().atMost(Duration.ofSeconds(30)).until(() -> ledger.inbound(vendorId, device), r -> r.size() > seen);
        assertThat(rows).as("one inbound row per message").hasSize(seen + 1);
        Sent s = new Sent(vendorId, device, payload, rows.get(seen).receipt());
        await().atMost(Duration.ofSeconds(30)).until(() -> copies(s) > 0);
        return s;
    }

    /** How many receipts on the message's topic are the receipt the hub stored for it. */
    private long copies(Sent s) {
        return vendor.receiptsOf(s.vendorId(), s.topicDevice()).stream().filter(r -> {
            ObjectNode published = r.deepCopy();
            published.remove("topic");
            return published.equals(s.receipt());
        }).count();
    }

    private static JsonNode result(JsonNode receipt, String key) {
        for (JsonNode r : receipt.get("results")) {
            if (key.equals(r.path("key").asText())) {
                return r;
            }
        }
        throw new AssertionError("no result for " + key + " in " + receipt);
    }

    // --- synthetic pilot and payloads ---

    private static String serial(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A device of this vendor, assigned to a new synthetic patient for the last 30 days and on. */
    private static String assignedDevice(String vendorId, String prefix) {
        String serial = serial(prefix);
        // Whole seconds: the database keeps microseconds, rounded, so a nanosecond start could end up after itself.
        Pilot.patientWithDevices(municipality, OffsetDateTime.now(OSLO_WINTER).minusDays(30).withNano(0), vendorId, serial);
        return serial;
    }

    private static OffsetDateTime minutesAgo(int minutes) {
        return OffsetDateTime.now(OSLO_WINTER).minusMinutes(minutes).withNano(0);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
