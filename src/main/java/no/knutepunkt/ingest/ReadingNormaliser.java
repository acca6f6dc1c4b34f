package no.knutepunkt.ingest;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import org.apache.camel.Body;
import org.apache.camel.Variable;

import com.fasterxml.jackson.databind.JsonNode;

import no.knutepunkt.common.Kind;
import no.knutepunkt.common.ObservationKind;
import no.knutepunkt.common.Reading;
import no.knutepunkt.common.Value;
import no.knutepunkt.ingest.Rejection.Reason;

/**
 * Turns what a vendor mapping produced (the normalised message, see README "Adding a vendor") into
 * validated readings: groups blood-pressure components into panels, gives each reading its
 * identity, converts units, checks ranges and times. Everything here is the same for every vendor;
 * a mapping only renames fields.
 */
@ApplicationScoped
@Named("normaliser")
public class ReadingNormaliser {

    private static final int MAX_ID_LENGTH = 200;
    /** Nine integer digits cover every unit of every kind (a weight in milligrams is seven). */
    private static final int MAX_INTEGER_DIGITS = 9;
    private static final int MAX_DECIMALS = 12;

    private final UnitConverter units;

    public ReadingNormaliser(UnitConverter units) {
        this.units = units;
    }

    /**
     * Fills the intake's readings (and, in a gateway batch, its per-reading refusals).
     *
     * @throws Rejection when the message as a whole must be refused; an atomic message is refused
     *                   as soon as one of its readings is
     */
    public void normalise(@Body JsonNode message, @Variable(Intake.VARIABLE) Intake intake) {
        if (message == null || !message.isObject()) {
            throw new Rejection(Reason.MAPPING_FAILED, "the " + intake.format() + " mapping did not produce a message");
        }
        intake.messageId(identifier(message.get("messageId"), "messageId"));
        String deviceId = identifier(message.get("deviceId"), "deviceId");
        if (!deviceId.equals(intake.topicDeviceId())) {
            throw new Rejection(Reason.DEVICE_MISMATCH,
                    "device '" + deviceId + "' in the payload is not the device '" + intake.topicDeviceId() + "' of the topic");
        }
        Gateway gateway = gateway(message.get("gateway"), deviceId, intake.receivedAt());
        intake.gateway(gateway == null ? null : gateway.id());

        JsonNode readings = message.get("readings");
        if (readings == null || !readings.isArray() || readings.isEmpty()) {
            throw new Rejection(Reason.BAD_MESSAGE, "the message has no readings");
        }
        Map<String, List<JsonNode>> groups = new LinkedHashMap<>();
        for (JsonNode r : readings) {
            groups.computeIfAbsent(key(r, intake.messageId()), k -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<String, List<JsonNode>> group : groups.entrySet()) {
            try {
                intake.readings().add(checkedReading(group.getKey(), group.getValue(), deviceId, gateway, intake.receivedAt()));
            } catch (Rejection why) {
                if (gateway == null) {
                    intake.reject(why, List.copyOf(groups.keySet()));
                    throw why;
                }
                intake.refusals().add(new Intake.Refusal(group.getKey(), why));
            }
        }
    }

    /** The keys readings of this message would have; for refusing a message that failed before readings were made. */
    static List<String> keys(JsonNode message, String messageId) {
        JsonNode readings = message == null ? null : message.get("readings");
        if (readings == null || !readings.isArray()) {
            return List.of();
        }
        List<String> keys = new ArrayList<>();
        for (JsonNode r : readings) {
            String k = key(r, messageId);
            if (!keys.contains(k)) {
                keys.add(k);
            }
        }
        return keys;
    }

    private static String key(JsonNode r, String messageId) {
        JsonNode explicit = r.get("key");
        if (explicit != null && explicit.isTextual() && !explicit.asText().isEmpty()) {
            return explicit.asText();
        }
        String kind = text(r.get("kind"));
        Kind k = Kind.byWireName(kind);
        return messageId + "#" + (k == null ? kind : k.observation().key());
    }

    /** A reading, or its refusal: whatever one reading's values do, only that reading is refused. */
    private Reading checkedReading(String key, List<JsonNode> parts, String deviceId, Gateway gateway, OffsetDateTime receivedAt) {
        try {
            return reading(key, parts, deviceId, gateway, receivedAt);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new Rejection(Reason.NOT_A_NUMBER, "reading '" + key + "' has a value the hub cannot compute with");
        }
    }

    private Reading reading(String key, List<JsonNode> parts, String deviceId, Gateway gateway, OffsetDateTime receivedAt) {
        checkIdentifier(key, "reading key");
        List<Kind> kinds = new ArrayList<>();
        for (JsonNode p : parts) {
            String name = text(p.get("kind"));
            Kind k = Kind.byWireName(name);
            if (k == null) {
                throw new Rejection(Reason.UNKNOWN_KIND, "unknown kind '" + name + "'");
            }
            if (kinds.contains(k)) {
                throw new Rejection(Reason.BAD_MESSAGE, "reading '" + key + "' has " + name + " twice");
            }
            kinds.add(k);
        }
        ObservationKind observation = kinds.get(0).observation();
        if (kinds.stream().anyMatch(k -> k.observation() != observation)) {
            throw new Rejection(Reason.BAD_MESSAGE, "reading '" + key + "' mixes " + kinds);
        }
        if (observation == ObservationKind.BLOOD_PRESSURE && !(kinds.contains(Kind.SYSTOLIC) && kinds.contains(Kind.DIASTOLIC))) {
            throw new Rejection(Reason.INCOMPLETE_PANEL, "a blood-pressure reading needs both systolic and diastolic");
        }

        // A reading without a device field is the message's device; one that names an empty device is refused.
        String device = parts.stream().map(p -> text(p.get("device"))).filter(Objects::nonNull).findFirst().orElse(deviceId);
        if (device.isEmpty()) {
            throw new Rejection(Reason.BAD_MESSAGE, "reading '" + key + "' names no device");
        }
        if (gateway == null && !device.equals(deviceId)) {
            // Only a gateway speaks for other devices; a device's message is its own readings.
            throw new Rejection(Reason.DEVICE_MISMATCH, "reading '" + key + "' names device '" + device + "', not the device '"
                    + deviceId + "' of the topic");
        }
        checkIdentifier(device, "device");
        String model = parts.stream().map(p -> text(p.get("model"))).filter(Objects::nonNull).findFirst().orElse(null);
        boolean coreSite = parts.stream().anyMatch(p -> "core".equals(text(p.get("site"))));
        for (JsonNode p : parts) {
            String d = text(p.get("device"));
            if (d != null && !d.equals(device)) {
                throw new Rejection(Reason.BAD_MESSAGE, "reading '" + key + "' names two devices");
            }
        }

        OffsetDateTime time = time(parts.get(0));
        for (JsonNode p : parts.subList(1, parts.size())) {
            if (!time(p).isEqual(time)) {
                throw new Rejection(Reason.BAD_MESSAGE, "the values of reading '" + key + "' have different times");
            }
        }
        OffsetDateTime effective = time;
        OffsetDateTime deviceTime = null;
        if (gateway == null) {
            ReadingTimes.check(time, receivedAt);
        } else if (ReadingTimes.isBadDeviceClock(time, gateway.sent(), receivedAt)) {
            effective = gateway.assignmentTime();
            deviceTime = time;
        }

        Map<Kind, BigDecimal> canonical = new LinkedHashMap<>();
        List<Value> values = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            Kind k = kinds.get(i);
            JsonNode v = parts.get(i).get("value");
            if (k == Kind.GLUCOSE && v != null && v.isTextual() && ("HI".equals(v.asText()) || "LO".equals(v.asText()))) {
                checkUnitKnown(k, parts.get(i));
                values.add(new Value(k, null, "HI".equals(v.asText()) ? ">" : "<"));
                continue;
            }
            BigDecimal raw = number(v, k);
            BigDecimal c = units.toCanonical(k, raw, text(parts.get(i).get("unit")));
            if (c.compareTo(k.min()) < 0 || c.compareTo(k.max()) > 0) {
                throw new Rejection(Reason.IMPLAUSIBLE_VALUE, k.wireName() + " " + shown(c) + " " + k.unit()
                        + " is outside what is physically possible (" + k.min() + "–" + k.max() + ")");
            }
            canonical.put(k, c);
            values.add(Value.exact(k, c.setScale(k.scale(), RoundingMode.HALF_UP)));
        }
        if (observation == ObservationKind.BLOOD_PRESSURE) {
            checkPanel(canonical);
        }
        return new Reading(key, observation, values, device, model, effective, deviceTime, coreSite);
    }

    private void checkUnitKnown(Kind k, JsonNode part) {
        // HI / LO has no number to convert, but a unit the hub cannot read is still refused.
        units.toCanonical(k, BigDecimal.ONE, text(part.get("unit")));
    }

    private static void checkPanel(Map<Kind, BigDecimal> bp) {
        BigDecimal sys = bp.get(Kind.SYSTOLIC);
        BigDecimal dia = bp.get(Kind.DIASTOLIC);
        if (dia.compareTo(sys) >= 0) {
            throw new Rejection(Reason.IMPLAUSIBLE_VALUE, "diastolic pressure is not below systolic");
        }
        BigDecimal mean = bp.get(Kind.MEAN_ARTERIAL);
        if (mean != null && (mean.compareTo(dia) < 0 || mean.compareTo(sys) > 0)) {
            throw new Rejection(Reason.IMPLAUSIBLE_VALUE, "mean arterial pressure is not between diastolic and systolic");
        }
    }

    private static BigDecimal number(JsonNode v, Kind k) {
        if (v == null || v.isNull()) {
            throw new Rejection(Reason.NOT_A_NUMBER, k.wireName() + " has no value");
        }
        if (!v.isNumber()) {
            throw new Rejection(Reason.NOT_A_NUMBER, k.wireName() + " value '" + v.asText() + "' is not a number");
        }
        BigDecimal raw = v.isIntegralNumber() ? new BigDecimal(v.bigIntegerValue()) : v.decimalValue();
        // Before any arithmetic: 1e30000000 is twelve bytes of JSON, and computing with it takes
        // seconds of CPU and hundreds of megabytes. No unit conversion of a measurement needs more.
        if (raw.precision() - raw.scale() > MAX_INTEGER_DIGITS) {
            throw new Rejection(Reason.IMPLAUSIBLE_VALUE, k.wireName() + " " + shown(raw) + " is outside what is physically possible");
        }
        if (raw.scale() > MAX_DECIMALS) {
            throw new Rejection(Reason.NOT_A_NUMBER, k.wireName() + " value has more than " + MAX_DECIMALS + " decimals");
        }
        return raw;
    }

    /** A value as a reason shows it: plain when it is reasonable, in scientific notation when it is absurd (1e999). */
    private static String shown(BigDecimal v) {
        BigDecimal r = v.round(new MathContext(8)).stripTrailingZeros();
        return r.abs().compareTo(new BigDecimal("1e9")) < 0 && r.scale() < 9 ? r.toPlainString() : r.toString();
    }

    private static OffsetDateTime time(JsonNode part) {
        JsonNode millis = part.get("epochMillis");
        if (millis != null && !millis.isNull()) {
            if (!millis.canConvertToLong() || !millis.isIntegralNumber()) {
                throw new Rejection(Reason.BAD_TIME, "epoch milliseconds '" + millis.asText() + "' is not a whole number");
            }
            return OffsetDateTime.ofInstant(Instant.ofEpochMilli(millis.longValue()), ZoneOffset.UTC);
        }
        String time = text(part.get("time"));
        if (time == null) {
            throw new Rejection(Reason.BAD_TIME, "the reading has no time");
        }
        return ReadingTimes.parse(time, "time");
    }

    private static Gateway gateway(JsonNode node, String deviceId, OffsetDateTime receivedAt) {
        if (node == null || node.isNull()) {
            return null;
        }
        String id = identifier(node.get("id"), "gateway id");
        if (!id.equals(deviceId)) {
            throw new Rejection(Reason.DEVICE_MISMATCH, "gateway '" + id + "' is not the device '" + deviceId + "' of the topic");
        }
        String sent = text(node.get("sent"));
        if (sent == null) {
            throw new Rejection(Reason.BAD_TIME, "the gateway batch has no send time");
        }
        OffsetDateTime sentAt = ReadingTimes.parse(sent, "sent");
        return new Gateway(id, sentAt, ReadingTimes.assignmentTime(sentAt, receivedAt));
    }

    private static String identifier(JsonNode node, String field) {
        String s = text(node);
        if (s == null || s.isEmpty()) {
            throw new Rejection(Reason.BAD_MESSAGE, "the message has no " + field);
        }
        checkIdentifier(s, field);
        return s;
    }

    private static void checkIdentifier(String s, String field) {
        if (s.length() > MAX_ID_LENGTH || s.chars().anyMatch(Character::isISOControl)) {
            throw new Rejection(Reason.BAD_MESSAGE, field + " is longer than " + MAX_ID_LENGTH + " characters or has control characters");
        }
    }

    private static String text(JsonNode n) {
        if (n == null || n.isNull() || n.isContainerNode()) {
            return null;
        }
        return n.asText();
    }

    private record Gateway(String id, OffsetDateTime sent, OffsetDateTime assignmentTime) {
    }
}
