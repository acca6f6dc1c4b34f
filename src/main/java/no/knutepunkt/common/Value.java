package no.knutepunkt.common;

import java.math.BigDecimal;

/**
 * One measured value in its canonical unit, rounded as {@link Kind#scale()} says.
 *
 * @param comparator null, or {@code ">"} / {@code "<"} for a glucose meter's HI / LO, whose
 *                   {@code value} is then the meter's limit (null until the device registration
 *                   that sets the limit is known)
 */
public record Value(Kind kind, BigDecimal value, String comparator) {

    public static Value exact(Kind kind, BigDecimal value) {
        return new Value(kind, value, null);
    }

    public boolean outOfMeterRange() {
        return comparator != null;
    }

    /** This value with the meter's limit filled in for a HI / LO reading. */
    public Value withLimit(BigDecimal limit) {
        return new Value(kind, limit.setScale(kind.scale(), java.math.RoundingMode.HALF_UP), comparator);
    }

    /**
     * The value's part of a reading's content key: what makes two readings "the same value". A
     * HI / LO is keyed by its comparator alone, since the meter's limit is only known once the
     * device is routed and must not change the key of a reading that waited parked.
     */
    String keyPart() {
        return comparator == null ? value.toPlainString() : comparator;
    }
}
