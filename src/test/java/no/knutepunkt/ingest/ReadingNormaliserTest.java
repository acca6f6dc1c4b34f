package no.knutepunkt.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.OffsetDateTime;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import no.knutepunkt.common.Kind;
import no.knutepunkt.common.ObservationKind;
import no.knutepunkt.common.Reading;
import no.knutepunkt.ingest.Rejection.Reason;

/** The validation rules of device-contract.md and clinical-coding.md, on normalised messages. */
class ReadingNormaliserTest {

    private static final OffsetDateTime NOW = OffsetDateTime.parse("2026-11-22T07:16:00Z");
    private static final ObjectMapper JSON = JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
    private final ReadingNormaliser normaliser = new ReadingNormaliser(new UnitConverter());

    private Intake normalise(String deviceOnTopic, String json) throws Exception {
        Intake intake = new Intake(UUID.randomUUID(), Intake.Transport.MQTT, "nordic-telecare", deviceOnTopic, NOW, new byte[0]);
        normaliser.normalise(JSON.readTree(json), intake);
        return intake;
    }

    private static String message(String readings) {
        return """
                {"messageId": "m-1", "deviceId": "NT-1", "readings": [%s]}""".formatted(readings);
    }

    private static String value(String kind, String value, String unit, String time) {
        return """
                {"kind": "%s", "value": %s, "unit": "%s", "time": "%s"}""".formatted(kind, value, unit, time);
    }

    private static final String T = "2026-11-22T08:15:00+01:00";

    private Rejection refusal(String json) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> normalise("NT-1", json));
        assertThat(t).isInstanceOf(Rejection.class);
        return (Rejection) t;
    }

    @Test
    void bloodPressureMessageIsOnePanelAndOneHeartRate() throws Exception {
        Intake in = normalise("NT-1", message(String.join(",", value("systolic", "132", "mm[Hg]", T),
                value("diastolic", "84", "mm[Hg]", T), value("pulse", "71", "/min", T))));
        assertThat(in.readings()).hasSize(2);
        Reading bp = in.readings().get(0);
        assertThat(bp.key()).isEqualTo("m-1#bp");
        assertThat(bp.kind()).isEqualTo(ObservationKind.BLOOD_PRESSURE);
        assertThat(bp.value(Kind.SYSTOLIC).value()).isEqualByComparingTo("132");
        assertThat(bp.value(Kind.DIASTOLIC).value()).isEqualByComparingTo("84");
        assertThat(bp.effective()).isEqualTo(OffsetDateTime.parse(T));
        assertThat(bp.effective().getOffset().getId()).isEqualTo("+01:00");
        assertThat(bp.device()).isEqualTo("NT-1");
        Reading pulse = in.readings().get(1);
        assertThat(pulse.key()).isEqualTo("m-1#pulse");
        assertThat(pulse.kind()).isEqualTo(ObservationKind.HEART_RATE);
        assertThat(in.partial()).isFalse();
    }

    @Test
    void panelNeedsSystolicAndDiastolicInOrder() {
        assertThat(refusal(message(value("systolic", "132", "mm[Hg]", T))).code()).isEqualTo(Reason.INCOMPLETE_PANEL);
        assertThat(refusal(message(value("systolic", "80", "mm[Hg]", T) + "," + value("diastolic", "84", "mm[Hg]", T))).code())
                .isEqualTo(Reason.IMPLAUSIBLE_VALUE);
        assertThat(refusal(message(value("systolic", "132", "mm[Hg]", T) + "," + value("diastolic", "84", "mm[Hg]", T) + ","
                + value("mean-arterial", "140", "mm[Hg]", T))).code()).isEqualTo(Reason.IMPLAUSIBLE_VALUE);
    }

    @Test
    void atomicMessageIsRefusedWholeWithEveryReadingKey() throws Exception {
        Intake in = new Intake(UUID.randomUUID(), Intake.Transport.MQTT, "v", "NT-1", NOW, new byte[0]);
        JsonNode msg = JSON.readTree(message(value("spo2", "94", "%", T) + "," + value("pulse", "400", "/min", T)));
        assertThatThrownBy(() -> normaliser.normalise(msg, in)).isInstanceOf(Rejection.class);
        assertThat(in.rejection().code()).isEqualTo(Reason.IMPLAUSIBLE_VALUE);
        assertThat(in.readings()).isEmpty();
        assertThat(in.refusals()).extracting(Intake.Refusal::key).containsExactly("m-1#spo2", "m-1#pulse");
    }

    @Test
    void rangesAreCheckedOnTheConvertedValueBeforeRounding() {
        // 0.29 kg would round to 0.3, the lower bound, but is not physically possible.
        assertThat(refusal(message(value("weight", "0.29", "kg", T))).code()).isEqualTo(Reason.IMPLAUSIBLE_VALUE);
        // 46.04 °C rounds to 46.0 yet lies above 46.
        assertThat(refusal(message(value("temperature", "46.04", "Cel", T))).code()).isEqualTo(Reason.IMPLAUSIBLE_VALUE);
        assertThat(refusal(message(value("spo2", "101", "%", T))).code()).isEqualTo(Reason.IMPLAUSIBLE_VALUE);
        assertThat(refusal(message(value("weight", "1e400", "kg", T))).code()).isEqualTo(Reason.IMPLAUSIBLE_VALUE);
    }

    @Test
    void extremeButPossibleValuesAreKept() throws Exception {
        Intake in = normalise("NT-1", message(value("spo2", "45", "%", T)));
        assertThat(in.readings().get(0).values().get(0).value()).isEqualByComparingTo("45");
    }

    @Test
    void roundingIsHalfUpAfterConversion() throws Exception {
        assertThat(normalise("NT-1", message(value("pulse", "71.5", "/min", T))).readings().get(0).values().get(0).value())
                .isEqualByComparingTo("72");
        assertThat(normalise("NT-1", message(value("weight", "80.05", "kg", T))).readings().get(0).values().get(0).value()
                .toPlainString()).isEqualTo("80.1");
        // 176.4 lb = 80.0137 kg.
        assertThat(normalise("NT-1", message(value("weight", "176.4", "[lb_av]", T))).readings().get(0).values().get(0).value()
                .toPlainString()).isEqualTo("80.0");
    }

    @Test
    void valueMustBeAFiniteNumber() {
        assertThat(refusal(message(value("pulse", "\"NaN\"", "/min", T))).code()).isEqualTo(Reason.NOT_A_NUMBER);
        assertThat(refusal(message(value("pulse", "\"71\"", "/min", T))).code()).isEqualTo(Reason.NOT_A_NUMBER);
        assertThat(refusal(message(value("pulse", "null", "/min", T))).code()).isEqualTo(Reason.NOT_A_NUMBER);
        assertThat(refusal(message(value("pulse", "\"HI\"", "/min", T))).code()).isEqualTo(Reason.NOT_A_NUMBER);
    }

    @Test
    void glucoseOutOfMeterRangeBecomesAComparator() throws Exception {
        Reading hi = normalise("NT-1", message(value("glucose", "\"HI\"", "mmol/L", T))).readings().get(0);
        assertThat(hi.values().get(0).comparator()).isEqualTo(">");
        assertThat(hi.values().get(0).value()).isNull();
        Reading lo = normalise("NT-1", message(value("glucose", "\"LO\"", "mg/dL", T))).readings().get(0);
        assertThat(lo.values().get(0).comparator()).isEqualTo("<");
        assertThat(refusal(message(value("glucose", "\"HI\"", "kg", T))).code()).isEqualTo(Reason.UNIT_NOT_CONVERTIBLE);
    }

    @Test
    void unknownKindIsRefused() {
        assertThat(refusal(message(value("cholesterol", "5", "mmol/L", T))).code()).isEqualTo(Reason.UNKNOWN_KIND);
    }

    @Test
    void timesNeedAnOffsetAndMustBeBetween2000AndNowPlusFiveMinutes() throws Exception {
        assertThat(refusal(message(value("pulse", "71", "/min", "2026-11-22T08:15:00"))).code()).isEqualTo(Reason.MISSING_TIME_ZONE);
        assertThat(refusal(message(value("pulse", "71", "/min", "yesterday"))).code()).isEqualTo(Reason.BAD_TIME);
        assertThat(refusal(message(value("pulse", "71", "/min", "2026-11-22T07:21:01Z"))).code()).isEqualTo(Reason.TIME_IN_FUTURE);
        assertThat(normalise("NT-1", message(value("pulse", "71", "/min", "2026-11-22T07:21:00Z"))).readings()).hasSize(1);
        assertThat(refusal(message(value("pulse", "71", "/min", "2000-01-01T23:59:59Z"))).code()).isEqualTo(Reason.TIME_TOO_EARLY);
        assertThat(normalise("NT-1", message(value("pulse", "71", "/min", "2000-01-02T00:00:00Z"))).readings()).hasSize(1);
    }

    @Test
    void epochSecondsInsteadOfMillisecondsLandIn1970AndAreRefused() {
        String msg = message("""
                {"kind": "pulse", "value": 71, "unit": "/min", "epochMillis": 1763799300}""");
        assertThat(refusal(msg).code()).isEqualTo(Reason.TIME_TOO_EARLY);
    }

    @Test
    void payloadDeviceMustBeTheTopicDevice() {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> normalise("NT-2", message(value("pulse", "71", "/min", T))));
        assertThat(((Rejection) t).code()).isEqualTo(Reason.DEVICE_MISMATCH);
        assertThat(Reason.DEVICE_MISMATCH.security()).isTrue();
    }

    private static String gateway(String sent, String observations) {
        return """
                {"messageId": "GW-1:%s", "deviceId": "GW-1", "gateway": {"id": "GW-1", "sent": "%s"}, "readings": [%s]}"""
                .formatted(sent, sent, observations);
    }

    private static String obs(int seq, String device, String kind, String value, String unit, String time) {
        return """
                {"key": "GW-1:%d", "device": "%s", "kind": "%s", "value": %s, "unit": "%s", "time": "%s"}"""
                .formatted(seq, device, kind, value, unit, time);
    }

    @Test
    void gatewayBatchIsPartialAndKeyedBySequence() throws Exception {
        Intake in = normalise("GW-1", gateway("2026-11-22T07:15:03Z", String.join(",",
                obs(1001, "OX-1", "spo2", "94", "%", "2026-11-22T07:14:58Z"),
                obs(1002, "OX-1", "unknown-kind", "88", "/min", "2026-11-22T07:14:58Z"),
                obs(1003, "BP-1", "systolic", "141", "mm[Hg]", "2026-11-22T07:10:12Z"),
                obs(1003, "BP-1", "diastolic", "92", "mm[Hg]", "2026-11-22T07:10:12Z"))));
        assertThat(in.partial()).isTrue();
        assertThat(in.gatewayId()).isEqualTo("GW-1");
        assertThat(in.readings()).extracting(Reading::key).containsExactly("GW-1:1001", "GW-1:1003");
        assertThat(in.readings().get(1).kind()).isEqualTo(ObservationKind.BLOOD_PRESSURE);
        assertThat(in.readings().get(1).device()).isEqualTo("BP-1");
        assertThat(in.refusals()).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo("GW-1:1002");
            assertThat(r.why().code()).isEqualTo(Reason.UNKNOWN_KIND);
        });
    }

    @Test
    void badDeviceClockIsStoredAtTheGatewaySendTime() throws Exception {
        Intake in = normalise("GW-1", gateway("2026-11-22T07:15:03Z", String.join(",",
                obs(1, "OX-1", "spo2", "94", "%", "2026-11-22T07:20:04Z"),
                obs(2, "OX-1", "spo2", "95", "%", "1970-01-01T00:00:10Z"),
                obs(3, "OX-1", "spo2", "96", "%", "2026-11-22T07:20:03Z"))));
        Reading ahead = in.readings().get(0);
        assertThat(ahead.badClock()).isTrue();
        assertThat(ahead.effective()).isEqualTo(OffsetDateTime.parse("2026-11-22T07:15:03Z"));
        assertThat(ahead.deviceTime()).isEqualTo(OffsetDateTime.parse("2026-11-22T07:20:04Z"));
        assertThat(ahead.contentKey()).isNull();
        assertThat(in.readings().get(1).badClock()).isTrue();
        // Exactly five minutes after the send time is still a good clock.
        assertThat(in.readings().get(2).badClock()).isFalse();
        assertThat(in.readings().get(2).contentKey()).isEqualTo(OffsetDateTime.parse("2026-11-22T07:20:03Z").toInstant().toEpochMilli() + "|96");
    }

    @Test
    void gatewaySendTimeFromTheFutureIsReplacedByTheHubsReceiptTime() throws Exception {
        Intake in = normalise("GW-1", gateway("2031-01-01T00:00:00Z", obs(1, "OX-1", "spo2", "94", "%", "2031-01-01T00:00:00Z")));
        Reading r = in.readings().get(0);
        assertThat(r.badClock()).isTrue();
        assertThat(r.effective()).isEqualTo(NOW);
    }

    @Test
    void gatewayObservationWithoutDeviceIsRefusedAlone() throws Exception {
        Intake in = normalise("GW-1", gateway("2026-11-22T07:15:03Z", String.join(",",
                obs(1, "", "spo2", "94", "%", "2026-11-22T07:14:58Z"), obs(2, "OX-1", "spo2", "94", "%", "2026-11-22T07:14:58Z"))));
        assertThat(in.readings()).extracting(Reading::key).containsExactly("GW-1:2");
        assertThat(in.refusals()).extracting(r -> r.why().code()).containsExactly(Reason.BAD_MESSAGE);
    }

    @Test
    void messageWithoutReadingsOrIdsIsRefused() {
        assertThat(refusal("{\"messageId\": \"m\", \"deviceId\": \"NT-1\", \"readings\": []}").code()).isEqualTo(Reason.BAD_MESSAGE);
        assertThat(refusal("{\"deviceId\": \"NT-1\", \"readings\": []}").code()).isEqualTo(Reason.BAD_MESSAGE);
        assertThat(refusal("{\"messageId\": \"m\\u0000\", \"deviceId\": \"NT-1\", \"readings\": []}").code())
                .isEqualTo(Reason.BAD_MESSAGE);
    }

    /**
     * Regression (review B1): 1e30000000 is twelve bytes of JSON, and unit conversion computed it
     * digit by digit — tens of seconds of CPU per value. It is refused before any arithmetic, as the
     * impossible value it is; without that check 1e999999999 failed with an ArithmeticException.
     */
    @Test
    void hugeExponentsAreRefusedBeforeAnyArithmetic() throws Exception {
        assertThat(refusal(message(value("weight", "1e999999999", "kg", T))).code()).isEqualTo(Reason.IMPLAUSIBLE_VALUE);
        assertThat(refusal(message(value("weight", "1e30000000", "[lb_av]", T))).code()).isEqualTo(Reason.IMPLAUSIBLE_VALUE);
        assertThat(refusal(message(value("weight", "80.1234567890123", "kg", T))).code()).isEqualTo(Reason.NOT_A_NUMBER);
        assertThat(normalise("NT-1", message(value("weight", "80.123456789012", "kg", T))).readings()).hasSize(1);
    }

    @Test
    void aHugeValueInAGatewayBatchRefusesOnlyItsReading() throws Exception {
        Intake in = normalise("GW-1", gateway("2026-11-22T07:15:03Z", String.join(",",
                obs(1, "SC-1", "weight", "1e999999999", "kg", "2026-11-22T07:14:58Z"),
                obs(2, "SC-1", "weight", "81.2", "kg", "2026-11-22T07:14:58Z"))));
        assertThat(in.readings()).extracting(Reading::key).containsExactly("GW-1:2");
        assertThat(in.refusals()).extracting(r -> r.why().code()).containsExactly(Reason.IMPLAUSIBLE_VALUE);
    }

    /** Review S3: a mapping's own keys end up in an indexed column and in receipts. */
    @Test
    void aMappingKeyWithControlCharactersOrOverlongIsRefusedAlone() throws Exception {
        String longKey = "K".repeat(201);
        Intake in = normalise("GW-1", gateway("2026-11-22T07:15:03Z", String.join(",",
                obs(1, "OX-1", "spo2", "94", "%", "2026-11-22T07:14:58Z").replace("GW-1:1", "GW-1:1\\u0000"),
                obs(2, "OX-1", "spo2", "94", "%", "2026-11-22T07:14:58Z").replace("GW-1:2", longKey),
                obs(3, "OX-1", "spo2", "95", "%", "2026-11-22T07:14:58Z"))));
        assertThat(in.readings()).extracting(Reading::key).containsExactly("GW-1:3");
        assertThat(in.refusals()).extracting(r -> r.why().code()).containsOnly(Reason.BAD_MESSAGE).hasSize(2);
    }

    /** Review S4: the duplicate rule compares values, not the order a payload lists them in, at millisecond precision. */
    @Test
    void contentKeyIgnoresValueOrderAndSubMillisecondDigits() throws Exception {
        Reading sysFirst = normalise("NT-1", message(value("systolic", "132", "mm[Hg]", "2026-11-22T08:15:00.1231+01:00") + ","
                + value("diastolic", "84", "mm[Hg]", "2026-11-22T08:15:00.1231+01:00"))).readings().get(0);
        Reading diaFirst = normalise("NT-1", message(value("diastolic", "84", "mm[Hg]", "2026-11-22T08:15:00.1234+01:00") + ","
                + value("systolic", "132", "mm[Hg]", "2026-11-22T08:15:00.1234+01:00"))).readings().get(0);
        assertThat(diaFirst.contentKey()).isEqualTo(sysFirst.contentKey());
        Reading nextMilli = normalise("NT-1", message(value("systolic", "132", "mm[Hg]", "2026-11-22T08:15:00.124+01:00") + ","
                + value("diastolic", "84", "mm[Hg]", "2026-11-22T08:15:00.124+01:00"))).readings().get(0);
        assertThat(nextMilli.contentKey()).isNotEqualTo(sysFirst.contentKey());
    }

    @Test
    void reasonsCarryNoControlCharactersAndStayShort() {
        Rejection r = new Rejection(Reason.UNKNOWN_KIND, "unknown kind '" + "\u0000x".repeat(400) + "'");
        assertThat(r.reason()).doesNotContain("\u0000").hasSizeLessThanOrEqualTo(301);
    }

    /** Review S14: without a gateway, a message's readings are its device's own; a mapping cannot put them on another. */
    @Test
    void aReadingOfAnotherDeviceWithoutAGatewayIsRefused() {
        String msg = message("""
                {"kind": "pulse", "value": 71, "unit": "/min", "time": "%s", "device": "OTHER-DEVICE"}""".formatted(T));
        assertThat(refusal(msg).code()).isEqualTo(Reason.DEVICE_MISMATCH);
    }
}
