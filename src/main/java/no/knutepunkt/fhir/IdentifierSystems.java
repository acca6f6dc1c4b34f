package no.knutepunkt.fhir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.util.UUID;

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
     * The Observation's id: time-ordered (UUIDv7 layout, the effective millisecond first) so that
     * stored readings go to the end of the id index rather than to a random page of it, and derived
     * from the identifier for the rest, so the same reading gets the same id. Identity itself is the
     * identifier's unique constraint, not this id.
     */
    public static UUID observationId(String vendorId, String identifierValue, OffsetDateTime effective) {
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest((vendorMessage(vendorId) + '|' + identifierValue)
                    .getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long hi = ByteBuffer.wrap(hash, 0, 8).getLong();
        long lo = ByteBuffer.wrap(hash, 8, 8).getLong();
        long millis = effective.toInstant().toEpochMilli();
        long msb = (millis << 16) | 0x7000L | (hi & 0x0FFFL);
        long lsb = (lo & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
    }
}
