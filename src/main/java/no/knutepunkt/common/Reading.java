package no.knutepunkt.common;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One reading that passed validation: what becomes exactly one FHIR Observation. A blood-pressure
 * panel is one reading with two or three component values; every other kind has one value.
 *
 * @param key        the Observation identifier value ({messageId}#{obsKey}, or a mapping's own
 *                   key such as {gateway}:{seq}); also the key of this reading's receipt result
 * @param device     the measuring device's serial number
 * @param model      the device model when the payload names it, else null
 * @param effective  when it was measured, with the sender's offset; for a bad device clock, the
 *                   assignment time (gateway send time or hub receipt time) instead
 * @param deviceTime the device's own time when its clock was judged bad, else null
 * @param coreSite   a temperature the device says was taken at a core body site
 */
public record Reading(String key, ObservationKind kind, List<Value> values, String device, String model,
        OffsetDateTime effective, OffsetDateTime deviceTime, boolean coreSite) {

    public Reading {
        values = List.copyOf(values);
    }

    public boolean badClock() {
        return deviceTime != null;
    }

    public Value value(Kind k) {
        return values.stream().filter(v -> v.kind() == k).findFirst().orElse(null);
    }

    /**
     * The content half of the duplicate rule (clinical-coding.md): with vendor, device and LOINC
     * code, the effective instant in UTC milliseconds and the converted values. The values are
     * keyed in a fixed order, so a re-send listing systolic after diastolic is still the same
     * reading. Null for a bad-clock reading, which is deduplicated on its identifier only.
     */
    public String contentKey() {
        if (badClock()) {
            return null;
        }
        return effective.toInstant().toEpochMilli() + "|" + values.stream().sorted(java.util.Comparator.comparing(Value::kind))
                .map(Value::keyPart).collect(Collectors.joining("/"));
    }

    public Reading withValues(List<Value> newValues) {
        return new Reading(key, kind, newValues, device, model, effective, deviceTime, coreSite);
    }
}
