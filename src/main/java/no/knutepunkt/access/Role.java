package no.knutepunkt.access;

/** What a caller may be (security.md, "Who is who"); {@link #code()} is the role name Quarkus security knows. */
public enum Role {
    /** Health personnel (HPR number) at an organisation: reads the patients its care teams follow. */
    CLINICIAN("clinician"),
    /** Onboards patients for its own municipality's enrollments. */
    MUNICIPALITY_ADMIN("municipality-admin"),
    /** Runs the hub: organisations, vendors, credentials, reviews; reads no measurements. */
    OPERATOR("operator"),
    /** A citizen: reads their own data and their own access log. */
    PATIENT("patient"),
    /** A device vendor's system posting readings over HTTPS (client credentials). */
    VENDOR_CLIENT("vendor-client");

    private final String code;

    Role(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
