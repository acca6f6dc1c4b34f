package no.knutepunkt.access;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * An emergency access (break-the-glass): whose, to which patient, why, for how long, and whether
 * the operator has reviewed it.
 */
public record EmergencyGrant(UUID id, UUID patientId, String subject, String hprNumber, String personName, UUID organisationId,
        String organisationName, String reason, OffsetDateTime grantedAt, OffsetDateTime expiresAt, OffsetDateTime reviewedAt,
        String reviewedBy, String reviewNote) {
}
