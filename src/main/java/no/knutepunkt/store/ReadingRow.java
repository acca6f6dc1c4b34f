package no.knutepunkt.store;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A reading as the {@code reading} table keeps it (the Observation as UTF-8 JSON): its identity (both duplicate keys) and either
 * its Observation (stored) or what is needed to build one later (parked); {@code paused} when it was measured during a pause of
 * its enrollment's follow-up.
 */
public record ReadingRow(UUID id, String vendorId, String identifier, String deviceSerial, String loinc,
        OffsetDateTime effective, String contentKey, String kind, OffsetDateTime receivedAt, UUID inboundMessageId,
        Long deviceId, UUID patientId, UUID enrollmentId, byte[] observation, String parkedReading, String parkedReason,
        boolean paused) {

    public boolean stored() {
        return observation != null;
    }
}
