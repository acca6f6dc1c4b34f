package no.knutepunkt.common;

/**
 * Flags on a stored reading that travel with its Observation as {@code meta.tag} codings of the
 * hub's own code system, so that a receiving system sees them too.
 */
public final class ReadingFlags {

    public static final String SYSTEM = "https://knutepunkt.no/fhir/CodeSystem/reading-flag";
    /** The device's clock could not be trusted; the time is when the hub or gateway got the reading. */
    public static final String BAD_DEVICE_CLOCK = "bad-device-clock";
    /** Measured while the enrollment's follow-up was paused (a hospital admission, say): stored, never alerted on. */
    public static final String ENROLLMENT_PAUSED = "enrollment-paused";

    private ReadingFlags() {
    }
}
