package no.knutepunkt.common;

import java.util.List;

/**
 * What one Observation is about: the rows of the table in clinical-coding.md, at Observation
 * level. A blood-pressure panel is one Observation whose values are components; every other
 * kind carries a single value.
 */
public enum ObservationKind {
    BLOOD_PRESSURE("bp", List.of(new Code("85354-9", "Blood pressure panel with all children optional")),
            new Code("75367002", "Blood pressure"), "http://hl7.org/fhir/StructureDefinition/bp"),
    HEART_RATE("pulse", List.of(new Code("8867-4", "Heart rate")),
            new Code("364075005", "Heart rate"), "http://hl7.org/fhir/StructureDefinition/heartrate"),
    // Both LOINC codes always: 2708-6 is what the core profile fixes, 59408-5 what pulse oximeters measure.
    OXYGEN_SATURATION("spo2", List.of(new Code("2708-6", "Oxygen saturation in Arterial blood"),
            new Code("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry")),
            new Code("431314004", "Peripheral oxygen saturation"), "http://hl7.org/fhir/StructureDefinition/oxygensat"),
    BODY_WEIGHT("weight", List.of(new Code("29463-7", "Body weight")),
            new Code("27113001", "Body weight"), "http://hl7.org/fhir/StructureDefinition/bodyweight"),
    BODY_TEMPERATURE("temperature", List.of(new Code("8310-5", "Body temperature")),
            new Code("386725007", "Body temperature"), "http://hl7.org/fhir/StructureDefinition/bodytemp"),
    RESPIRATORY_RATE("respiratory-rate", List.of(new Code("9279-1", "Respiratory rate")),
            new Code("86290005", "Respiratory rate"), "http://hl7.org/fhir/StructureDefinition/resprate"),
    // No core vital-signs profile exists for glucose: base Observation, plus the Norwegian NPU code.
    BLOOD_GLUCOSE("glucose", List.of(new Code("15074-8", "Glucose [Moles/volume] in Blood")),
            new Code("434912009", "Blood glucose concentration"), null);

    public static final String LOINC = "http://loinc.org";
    public static final String SNOMED = "http://snomed.info/sct";
    public static final String NPU = "urn:oid:2.16.578.1.12.4.1.1.7280";
    public static final Code NPU_GLUCOSE = new Code("NPU02187", "P(kapillær)—Glukose; stoffk. = ? mmol/L");
    /** Used instead of {@link #snomed()} for a temperature the device says was taken at a core site. */
    public static final Code SNOMED_CORE_TEMPERATURE = new Code("276885007", "Core body temperature");

    private final String key;
    private final List<Code> loinc;
    private final Code snomed;
    private final String profile;

    ObservationKind(String key, List<Code> loinc, Code snomed, String profile) {
        this.key = key;
        this.loinc = loinc;
        this.snomed = snomed;
        this.profile = profile;
    }

    /** The obsKey of clinical-coding.md: the suffix of the Observation identifier {messageId}#{obsKey}. */
    public String key() {
        return key;
    }

    /** LOINC codes, the primary (the one stored in the time series and used for deduplication) first. */
    public List<Code> loinc() {
        return loinc;
    }

    public String primaryLoinc() {
        return loinc.get(0).code();
    }

    public Code snomed() {
        return snomed;
    }

    /** The FHIR R4 core profile the Observation claims, or null (glucose). */
    public String profile() {
        return profile;
    }

    public static ObservationKind byKey(String key) {
        for (ObservationKind k : values()) {
            if (k.key.equals(key)) {
                return k;
            }
        }
        return null;
    }

    /** Every kind with this code among its LOINC or SNOMED CT codes (a code may be a component's, too). */
    public static List<ObservationKind> byCode(String system, String code) {
        return java.util.Arrays.stream(values())
                .filter(k -> (system == null || LOINC.equals(system)) && k.loinc.stream().anyMatch(c -> c.code().equals(code))
                        || (system == null || SNOMED.equals(system)) && (k.snomed.code().equals(code)
                                || k == BODY_TEMPERATURE && SNOMED_CORE_TEMPERATURE.code().equals(code))
                        || (system == null || NPU.equals(system)) && k == BLOOD_GLUCOSE && NPU_GLUCOSE.code().equals(code))
                .toList();
    }

    public record Code(String code, String display) {
    }
}
