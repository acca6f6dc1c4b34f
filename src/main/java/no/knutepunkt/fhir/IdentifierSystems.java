package no.knutepunkt.fhir;

/**
 * The identifier systems (clinical-coding.md) that Observations, Patients and Devices carry, and
 * that receivers search by, e.g. for conditional create on {@link #vendorMessage}.
 */
public final class IdentifierSystems {

    public static final String FODSELSNUMMER = "urn:oid:2.16.578.1.12.4.1.4.1";
    public static final String D_NUMMER = "urn:oid:2.16.578.1.12.4.1.4.2";
    public static final String ORGANISASJONSNUMMER = "urn:oid:2.16.578.1.12.4.1.4.101";

    private static final String VENDOR = "https://knutepunkt.no/fhir/vendor/";
    private static final java.util.regex.Pattern MESSAGE_SYSTEM =
            java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(VENDOR) + "([A-Za-z0-9._-]{1,64})/message");

    private IdentifierSystems() {
    }

    /** Observation.identifier.system: the vendor's message ids. */
    public static String vendorMessage(String vendorId) {
        return VENDOR + vendorId + "/message";
    }

    /** The vendor whose {@link #vendorMessage} system this is, or null for any other system. */
    static String messageVendor(String system) {
        java.util.regex.Matcher m = MESSAGE_SYSTEM.matcher(system);
        return m.matches() ? m.group(1) : null;
    }

    /** Device.identifier.system: the vendor's serial numbers. */
    public static String vendorDevice(String vendorId) {
        return VENDOR + vendorId + "/device";
    }

    /** The OID of a patient's number, from the registry's name for its kind ({@code fnr} or {@code dnr}). */
    public static String patient(String registryKind) {
        return switch (registryKind) {
            case "fnr" -> FODSELSNUMMER;
            case "dnr" -> D_NUMMER;
            default -> throw new IllegalArgumentException("unknown patient identifier kind: " + registryKind);
        };
    }

    /** The registry's name for the kind of patient number an OID stands for, or null for any other system. */
    static String registryKind(String system) {
        return switch (system) {
            case FODSELSNUMMER -> "fnr";
            case D_NUMMER -> "dnr";
            default -> null;
        };
    }

    /**
     * The Observation's id, derived from its identifier: a redelivered or replayed reading gets the
     * same id, so the id itself is stable for receivers.
     */
    public static java.util.UUID observationId(String vendorId, String identifierValue) {
        return java.util.UUID.nameUUIDFromBytes((vendorMessage(vendorId) + '|' + identifierValue)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
