package no.knutepunkt.access;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A patient's block of a named clinician (by HPR number): who made it, when, and when it was lifted. */
public record PatientBlock(UUID id, UUID patientId, String hprNumber, String note, OffsetDateTime createdAt, String createdBy,
        String createdByRole, OffsetDateTime liftedAt, String liftedBy) {
}
