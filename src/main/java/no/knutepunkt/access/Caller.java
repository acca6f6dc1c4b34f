package no.knutepunkt.access;

import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;

import no.knutepunkt.audit.AuditEntry;

/**
 * Who is calling, as the token said and the registry confirmed: the one description of a caller
 * that the access policy decides on and the audit log records.
 * <p>
 * The person's national identity number ({@code pid}) is kept for one thing only — finding a
 * patient's own record — and never appears in {@link #toString()}, the audit log or a log line.
 *
 * @param roles        never empty
 * @param subject      the token's {@code sub} (a person) or client id (a system)
 * @param issuer       the token's {@code iss}
 * @param clientId     the OAuth client the token was issued to
 * @param name         the person's name, if the token gave one
 * @param hprNumber    health personnel: the HPR number (required for {@link Role#CLINICIAN})
 * @param organisation the registered organisation the caller acts for (health personnel, admins,
 *                     operators, vendors), or null for a citizen
 * @param assurance    the assurance level the token states
 * @param patientId    a citizen who is a registered patient: their patient id; else null
 * @param vendorId     a vendor client: its vendor id; else null
 */
public record Caller(Set<Role> roles, String subject, String issuer, String clientId, String name, String hprNumber,
        Organisation organisation, String assurance, String pid, UUID patientId, String vendorId) {

    public Caller {
        roles = roles.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(roles));
    }

    /** The registered organisation a caller acts for. */
    public record Organisation(UUID id, String number, String name, String kind) {
    }

    public boolean is(Role role) {
        return roles.contains(role);
    }

    /** The roles as the audit log writes them: sorted, comma separated. */
    public String roleCodes() {
        return String.join(",", roles.stream().map(Role::code).sorted().toList());
    }

    /** What the audit log records of the caller: never the national identity number. */
    public AuditEntry.Who who() {
        return new AuditEntry.Who(subject, name, hprNumber, organisation == null ? null : organisation.number(), roleCodes(), clientId,
                issuer);
    }

    @Override
    public String toString() {
        return "Caller[" + roleCodes() + " " + subject + (hprNumber == null ? "" : " hpr " + hprNumber)
                + (organisation == null ? "" : " org " + organisation.number()) + "]";
    }
}
