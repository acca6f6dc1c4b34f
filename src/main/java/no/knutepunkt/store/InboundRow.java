package no.knutepunkt.store;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A message as it arrived, with the receipt it got. */
public record InboundRow(UUID id, OffsetDateTime receivedAt, String transport, String vendorId, String topicDeviceId,
        String messageId, byte[] payload, String status, String receipt) {
}
