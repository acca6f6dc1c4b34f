package no.knutepunkt.store;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A refused reading (or an unreadable message) and why; its raw bytes are its message's (inbound_message). */
public record DeadLetterRow(UUID inboundMessageId, OffsetDateTime receivedAt, String vendorId, String topicDeviceId,
        String readingKey, String reasonCode, String reason) {
}
