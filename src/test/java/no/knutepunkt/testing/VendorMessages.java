package no.knutepunkt.testing;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Messages in the three formats of device-contract.md ({@code canonical}, {@code acme-flat},
 * {@code medgw}), written as a vendor would write them: text, so that a test can also send what a
 * vendor should not.
 */
public final class VendorMessages {

    /** ISO-8601 with offset, seconds always written (OffsetDateTime.toString drops ":00"). */
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssXXX");

    private VendorMessages() {
    }

    public static String iso(OffsetDateTime t) {
        return SECONDS.format(t);
    }

    /** {@code readings}: JSON objects such as {@link #spo2(int)}. */
    public static String canonical(String messageId, String device, OffsetDateTime measuredAt, String... readings) {
        return """
                {"messageId": "%s", "deviceId": "%s", "measuredAt": "%s", "readings": [%s]}"""
                .formatted(messageId, device, iso(measuredAt), String.join(", ", readings));
    }

    public static String spo2(int percent) {
        return "{\"kind\": \"spo2\", \"value\": " + percent + ", \"unit\": \"%\"}";
    }

    public static String pulse(int perMinute) {
        return "{\"kind\": \"pulse\", \"value\": " + perMinute + ", \"unit\": \"/min\"}";
    }

    /** Systolic and diastolic: two readings of the message, one blood-pressure panel. */
    public static String bloodPressure(int systolic, int diastolic) {
        return "{\"kind\": \"systolic\", \"value\": " + systolic + ", \"unit\": \"mm[Hg]\"}, "
                + "{\"kind\": \"diastolic\", \"value\": " + diastolic + ", \"unit\": \"mm[Hg]\"}";
    }

    /** {@code val} is raw JSON: a number, or a quoted string. */
    public static String acme(String messageId, String device, long ts, String metric, String val, String uom) {
        return """
                {"id": "%s", "sn": "%s", "ts": %d, "metric": "%s", "val": %s, "uom": "%s"}"""
                .formatted(messageId, device, ts, metric, val, uom);
    }

    /** {@code observations}: JSON objects such as {@link #observation}. */
    public static String medgw(String gateway, String sent, String... observations) {
        return """
                {"gateway": "%s", "sent": "%s", "observations": [%s]}""".formatted(gateway, sent, String.join(", ", observations));
    }

    /** One observation of a gateway batch; {@code value} is raw JSON. */
    public static String observation(int seq, String device, int mdc, String value, int unitCode, String time) {
        return """
                {"seq": %d, "device": {"serial": "%s"}, "mdc": %d, "value": %s, "unitCode": %d, "time": "%s"}"""
                .formatted(seq, device, mdc, value, unitCode, time);
    }

    public static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A JSON field and value of {@code depth} nested objects, to put inside a message's root object. */
    public static String nestedField(String name, int depth) {
        return "\"" + name + "\": " + "{\"x\": ".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
    }

    /** The message with this field (name and value, JSON) added first in its root object. */
    public static String withField(String message, String field) {
        if (!message.startsWith("{")) {
            throw new IllegalArgumentException("not a JSON object: " + message);
        }
        return "{" + field + ", " + message.substring(1);
    }
}
