package no.knutepunkt.audit;

import java.util.List;
import java.util.UUID;

/**
 * One access to patient data, or one refused attempt, as the audit log keeps it (security.md,
 * "Audit log"): who, which patient and resources, what was done, why, through which entry point,
 * and whether it was allowed.
 *
 * @param action         what was asked: {@code read}, {@code search}, {@code create}, {@code update},
 *                       {@code export}, {@code emergency-access}, {@code authenticate}, …
 * @param patientId      the patient concerned, or null (a refused token, an operator action)
 * @param resourceType   a FHIR resource type or a registry noun ({@code Observation}, {@code enrollment})
 * @param resourceIds    the ids read or written; for a search, the ids it returned
 * @param entryPoint     where the request came in: {@code GET /fhir/Observation}, {@code page /kommune}
 * @param reason         why it was refused, or the reason stated for emergency access
 * @param emergencyAccessId the emergency access this was allowed under, if any
 */
public record AuditEntry(String action, Outcome outcome, Purpose purpose, Who who, UUID patientId, String resourceType,
        List<String> resourceIds, String entryPoint, String sourceAddress, String reason, UUID emergencyAccessId) {

    public AuditEntry {
        resourceIds = resourceIds == null ? List.of() : List.copyOf(resourceIds);
        if (action == null || outcome == null || entryPoint == null) {
            throw new IllegalArgumentException("an audit entry needs an action, an outcome and an entry point");
        }
    }

    public enum Outcome {
        ALLOWED, DENIED;

        public String code() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public enum Purpose {
        /** Taking part in the patient's care (tjenstlig behov). */
        TREATMENT("treatment"),
        /** Break-the-glass: outside the care team, with a stated reason. */
        EMERGENCY("emergency"),
        /** Onboarding and registry work by a municipality. */
        ADMIN("admin"),
        /** The patient looking at their own data. */
        OWN_DATA("own-data"),
        /** The hub operator's work (organisations, vendors, reviews). */
        OPERATIONS("operations");

        private final String code;

        Purpose(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }

        public static Purpose of(String code) {
            for (Purpose p : values()) {
                if (p.code.equals(code)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("no such purpose: " + code);
        }
    }

    /**
     * Who acted, as their token said. Never the person's national identity number: the audit log
     * names people by their subject, name and HPR number.
     */
    public record Who(String subject, String name, String hprNumber, String organisationNumber, String role, String clientId,
            String issuer) {

        public static final Who UNKNOWN = new Who(null, null, null, null, null, null, null);
    }
}
