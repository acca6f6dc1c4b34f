package no.knutepunkt.simulator;

import java.time.Instant;

/**
 * One message as a vendor publishes it: on {@code knutepunkt/v1/{vendor}/{topicDevice}/measurements},
 * carrying {@code readings} readings (a blood-pressure panel is one), to be published once simulated
 * time reaches {@code publishAt} (its latest time: a message never reports a future).
 * {@code messageId} is what the receipt will name; null when the hub cannot read one (bad input).
 */
public record OutgoingMessage(String vendor, String topicDevice, String messageId, int readings, byte[] payload, Instant publishAt) {

    public String topic() {
        return "knutepunkt/v1/" + vendor + "/" + topicDevice + "/measurements";
    }
}
