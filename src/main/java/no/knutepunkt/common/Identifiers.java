package no.knutepunkt.common;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** The identifier systems of clinical-coding.md, and the Observation id derived from the identifier. */
public final class Identifiers {

    public static final String FNR = "urn:oid:2.16.578.1.12.4.1.4.1";
    public static final String DNR = "urn:oid:2.16.578.1.12.4.1.4.2";
    public static final String ORGANISATION_NUMBER = "urn:oid:2.16.578.1.12.4.1.4.101";

    private Identifiers() {
    }

    /** Observation.identifier.system for a vendor's messages. */
    public static String messageSystem(String vendorId) {
        return "https://knutepunkt.no/fhir/vendor/" + vendorId + "/message";
    }

    /** Device.identifier.system for a vendor's serial numbers. */
    public static String deviceSystem(String vendorId) {
        return "https://knutepunkt.no/fhir/vendor/" + vendorId + "/device";
    }

    /**
     * The Observation's id, derived from its identifier: a redelivered or replayed reading gets the
     * same id, so the id itself is stable for receivers.
     */
    public static UUID observationId(String vendorId, String identifierValue) {
        return UUID.nameUUIDFromBytes((messageSystem(vendorId) + '|' + identifierValue).getBytes(StandardCharsets.UTF_8));
    }

    /** The patient identifier system for "fnr" or "dnr". */
    public static String patientSystem(String fnrOrDnr) {
        return "dnr".equals(fnrOrDnr) ? DNR : FNR;
    }
}
