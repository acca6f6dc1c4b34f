package no.knutepunkt.registry;

/** A device vendor, registered with the payload format its mapping file under camel-routes/vendors/ reads. */
public record Vendor(String id, String name, String format) {
}
