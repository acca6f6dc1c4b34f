package no.knutepunkt.access;

/** What of a patient's data a request touches; the policy allows each role different kinds. */
public enum DataKind {
    /** Observations: the readings themselves. */
    MEASUREMENTS,
    /** The Patient: name and national identity number. */
    DEMOGRAPHICS,
    /** Enrollments, care teams, device assignments, consents, pauses, blocks. */
    CARE_RECORD,
    /** Who has seen the patient's data: the patient's own access log. */
    ACCESS_LOG,
    /** Everything of the patient at once, for the patient to take away. */
    EXPORT
}
