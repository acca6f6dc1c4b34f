package no.knutepunkt.ingest;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import no.knutepunkt.common.Reading;

/**
 * One inbound message on its way through the pipeline: what arrived, what the mapping and
 * validation made of it, and (after commit) what became of each reading. It travels as the
 * exchange variable {@value #VARIABLE}.
 */
public final class Intake {

    public static final String VARIABLE = "intake";

    public enum Transport {
        MQTT, HTTP
    }

    private final UUID id;
    private final Transport transport;
    private final String vendorId;
    private final String topicDeviceId;
    private final OffsetDateTime receivedAt;
    private final byte[] payload;

    private String format;
    private String messageId;
    private boolean partial;
    private String gatewayId;
    private final List<Reading> readings = new ArrayList<>();
    private final List<Refusal> refusals = new ArrayList<>();
    private Rejection rejection;
    private Receipt receipt;
    private byte[] receiptJson;

    public Intake(UUID id, Transport transport, String vendorId, String topicDeviceId, OffsetDateTime receivedAt,
            byte[] payload) {
        this.id = id;
        this.transport = transport;
        this.vendorId = vendorId;
        this.topicDeviceId = topicDeviceId;
        this.receivedAt = receivedAt;
        this.payload = payload;
    }

    public UUID id() {
        return id;
    }

    public Transport transport() {
        return transport;
    }

    public String vendorId() {
        return vendorId;
    }

    public String topicDeviceId() {
        return topicDeviceId;
    }

    public OffsetDateTime receivedAt() {
        return receivedAt;
    }

    public byte[] payload() {
        return payload;
    }

    public String format() {
        return format;
    }

    void format(String format) {
        this.format = format;
    }

    /** The vendor's message id, or null while (or if) the message could not be read. */
    public String messageId() {
        return messageId;
    }

    void messageId(String messageId) {
        this.messageId = messageId;
    }

    /** A gateway batch: each reading has its own outcome, and the receipt may be {@code partial}. */
    public boolean partial() {
        return partial;
    }

    public String gatewayId() {
        return gatewayId;
    }

    void gateway(String id) {
        this.gatewayId = id;
        this.partial = id != null;
    }

    public List<Reading> readings() {
        return readings;
    }

    /** Readings refused one by one (in a gateway batch), with why. */
    public List<Refusal> refusals() {
        return refusals;
    }

    /** Why the whole message was refused, or null. */
    public Rejection rejection() {
        return rejection;
    }

    /**
     * Refuses the whole message: every reading it carried is dead-lettered with this reason. An
     * atomic message's readings are refused together; a message that cannot be read counts as one.
     */
    public void reject(Rejection why, List<String> keys) {
        this.rejection = why;
        readings.clear();
        refusals.clear();
        if (keys.isEmpty()) {
            refusals.add(new Refusal(messageId, why));
        } else {
            keys.forEach(k -> refusals.add(new Refusal(k, why)));
        }
    }

    public Receipt receipt() {
        return receipt;
    }

    /** The receipt as stored with the message: what the vendor gets, byte for byte. */
    public byte[] receiptJson() {
        return receiptJson;
    }

    void receipt(Receipt receipt, byte[] json) {
        this.receipt = receipt;
        this.receiptJson = json;
    }

    /** A reading (or an unreadable message) that was refused. */
    public record Refusal(String key, Rejection why) {
    }
}
