package no.knutepunkt.store;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A refused reading (or an unreadable message), with the raw bytes and why. */
public record DeadLetterRow(UUID inboundMessageId, OffsetDateTime receivedAt, String vendorId, String topicDeviceId,
        String readingKey, String reasonCode, String reason, byte[] payload) {
}
