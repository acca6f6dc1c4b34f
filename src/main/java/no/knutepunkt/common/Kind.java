package no.knutepunkt.common;

import java.math.BigDecimal;

/**
 * The {@code kind} of one measured value, as the device contract names it, with its canonical
 * UCUM unit, the range of what is physically possible (in canonical units, before rounding) and
 * the precision it is rounded to. Systolic, diastolic and mean arterial pressure are components
 * of one blood-pressure Observation; every other kind is an Observation of its own.
 */
public enum Kind {
    SYSTOLIC("systolic", ObservationKind.BLOOD_PRESSURE, new ObservationKind.Code("8480-6", "Systolic blood pressure"),
            new ObservationKind.Code("271649006", "Systolic blood pressure"), "mm[Hg]", "30", "350", 0),
    DIASTOLIC("diastolic", ObservationKind.BLOOD_PRESSURE, new ObservationKind.Code("8462-4", "Diastolic blood pressure"),
            new ObservationKind.Code("271650006", "Diastolic blood pressure"), "mm[Hg]", "10", "250", 0),
    // Its real bounds are the diastolic and systolic of the same panel; these only catch nonsense alone.
    MEAN_ARTERIAL("mean-arterial", ObservationKind.BLOOD_PRESSURE, new ObservationKind.Code("8478-0", "Mean blood pressure"),
            new ObservationKind.Code("6797001", "Mean blood pressure"), "mm[Hg]", "10", "350", 0),
    PULSE("pulse", ObservationKind.HEART_RATE, null, null, "/min", "10", "350", 0),
    SPO2("spo2", ObservationKind.OXYGEN_SATURATION, null, null, "%", "1", "100", 0),
    WEIGHT("weight", ObservationKind.BODY_WEIGHT, null, null, "kg", "0.3", "650", 1),
    TEMPERATURE("temperature", ObservationKind.BODY_TEMPERATURE, null, null, "Cel", "20", "46", 1),
    GLUCOSE("glucose", ObservationKind.BLOOD_GLUCOSE, null, null, "mmol/L", "0.1", "60", 1),
    RESPIRATORY_RATE("respiratory-rate", ObservationKind.RESPIRATORY_RATE, null, null, "/min", "1", "120", 0);

    private final String wireName;
    private final ObservationKind observation;
    private final ObservationKind.Code componentLoinc;
    private final ObservationKind.Code componentSnomed;
    private final String unit;
    private final BigDecimal min;
    private final BigDecimal max;
    private final int scale;

    Kind(String wireName, ObservationKind observation, ObservationKind.Code componentLoinc,
            ObservationKind.Code componentSnomed, String unit, String min, String max, int scale) {
        this.wireName = wireName;
        this.observation = observation;
        this.componentLoinc = componentLoinc;
        this.componentSnomed = componentSnomed;
        this.unit = unit;
        this.min = new BigDecimal(min);
        this.max = new BigDecimal(max);
        this.scale = scale;
    }

    public String wireName() {
        return wireName;
    }

    public ObservationKind observation() {
        return observation;
    }

    public boolean isComponent() {
        return componentLoinc != null;
    }

    /** The LOINC code this value is stored under in the time series: the component's, or the Observation's. */
    public String loinc() {
        return isComponent() ? componentLoinc.code() : observation.primaryLoinc();
    }

    public ObservationKind.Code componentLoinc() {
        return componentLoinc;
    }

    public ObservationKind.Code componentSnomed() {
        return componentSnomed;
    }

    /** Canonical UCUM unit: what is stored and written to FHIR. */
    public String unit() {
        return unit;
    }

    public BigDecimal min() {
        return min;
    }

    public BigDecimal max() {
        return max;
    }

    /** Decimal places kept after half-up rounding. */
    public int scale() {
        return scale;
    }

    public static Kind byWireName(String name) {
        for (Kind k : values()) {
            if (k.wireName.equals(name)) {
                return k;
            }
        }
        return null;
    }
}
