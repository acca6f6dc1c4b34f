package no.knutepunkt.status;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import no.knutepunkt.common.Kind;
import no.knutepunkt.common.ObservationKind;

/**
 * What the status page shows of a stored reading: its kind in words, its value as text and its
 * UCUM unit, read from the stored Observation (the one record of the converted value; the page
 * shows exactly what a receiving system gets). A blood-pressure panel shows as systolic/diastolic.
 *
 * @param label           the kind in words, e.g. "Blood pressure"
 * @param value           e.g. "132/84", "96", "> 33.3" (a glucose meter's HI)
 * @param unit            the UCUM code, e.g. "mm[Hg]"
 * @param deviceClockWrong the device's clock was judged wrong, so the time shown is when the hub
 *                        (or the gateway) got the reading, not when it was measured
 */
public record ShownReading(String label, String value, String unit, boolean deviceClockWrong) {

    // Decimals as written ("80.0" stays "80.0"): the page must not show a value more or less
    // precise than the one stored.
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(com.fasterxml.jackson.databind.cfg.JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    private static final Map<String, String> LABELS = Map.of(
            ObservationKind.BLOOD_PRESSURE.key(), "Blood pressure",
            ObservationKind.HEART_RATE.key(), "Pulse",
            ObservationKind.OXYGEN_SATURATION.key(), "SpO\u2082",
            ObservationKind.BODY_WEIGHT.key(), "Weight",
            ObservationKind.BODY_TEMPERATURE.key(), "Temperature",
            ObservationKind.RESPIRATORY_RATE.key(), "Respiratory rate",
            ObservationKind.BLOOD_GLUCOSE.key(), "Blood glucose");

    /** The kind's words; an unknown key (a newer hub's kind) as it is. */
    public static String label(String kindKey) {
        return LABELS.getOrDefault(kindKey, kindKey);
    }

    /**
     * @param kindKey     the reading's {@link ObservationKind#key()}
     * @param observation the stored FHIR Observation (JSON)
     */
    public static ShownReading of(String kindKey, String observation) {
        JsonNode o;
        try {
            o = JSON.readTree(observation);
        } catch (IOException e) {
            throw new UncheckedIOException("a stored Observation is not JSON", e);
        }
        boolean clockWrong = false;
        for (JsonNode tag : o.path("meta").path("tag")) {
            clockWrong |= "bad-device-clock".equals(tag.path("code").asText());
        }
        if (o.has("valueQuantity")) {
            JsonNode q = o.get("valueQuantity");
            return new ShownReading(label(kindKey), number(q), q.path("code").asText(null), clockWrong);
        }
        JsonNode systolic = component(o, Kind.SYSTOLIC);
        JsonNode diastolic = component(o, Kind.DIASTOLIC);
        if (systolic != null && diastolic != null) {
            return new ShownReading(label(kindKey), number(systolic) + "/" + number(diastolic), systolic.path("code").asText(null),
                    clockWrong);
        }
        // Not a shape this hub writes; the page says so rather than guessing.
        return new ShownReading(label(kindKey), null, null, clockWrong);
    }

    private static JsonNode component(JsonNode observation, Kind kind) {
        for (JsonNode c : observation.path("component")) {
            for (JsonNode coding : c.path("code").path("coding")) {
                if (ObservationKind.LOINC.equals(coding.path("system").asText()) && kind.loinc().equals(coding.path("code").asText())) {
                    return c.path("valueQuantity");
                }
            }
        }
        return null;
    }

    /** The number as stored (plain notation, its own decimals), after its comparator if any. */
    private static String number(JsonNode quantity) {
        JsonNode v = quantity.path("value");
        String n = v.isBigDecimal() ? v.decimalValue().toPlainString() : v.asText();
        JsonNode comparator = quantity.get("comparator");
        return comparator == null ? n : comparator.asText() + " " + n;
    }
}
