package no.knutepunkt.simulator;

import java.util.Map;
import java.util.TreeMap;

/**
 * Which broker login each vendor's messages go over. A broker with per-vendor access control (the
 * hub's embedded broker, deploy/mosquitto) lets a vendor publish only under its own vendor id, so
 * each vendor with a secret here gets a connection of its own, logged in as itself; any other vendor
 * uses the shared login (MQTT_USERNAME / MQTT_PASSWORD, or none, for a broker without access control).
 */
public record BrokerLogins(BrokerAccess shared, Map<String, String> secrets) {

    public BrokerLogins {
        secrets = Map.copyOf(secrets);
    }

    /** Every vendor over the one login (or none). */
    public static BrokerLogins shared(BrokerAccess broker) {
        return new BrokerLogins(broker, Map.of());
    }

    /** Whether some vendors log in as themselves. */
    public boolean perVendor() {
        return !secrets.isEmpty();
    }

    /** Whether this vendor has a login of its own. */
    public boolean hasOwn(String vendorId) {
        return secrets.containsKey(vendorId);
    }

    /** The vendor's own login if it has one, else the shared one. */
    public BrokerAccess forVendor(String vendorId) {
        String secret = secrets.get(vendorId);
        return secret == null ? shared : shared.forVendor(vendorId, secret);
    }

    /** The vendors with a login of their own, in order. */
    public Iterable<String> vendors() {
        return new TreeMap<>(secrets).keySet();
    }

    /** For reports: never a secret. */
    @Override
    public String toString() {
        return shared + (perVendor() ? ", " + String.join(", ", vendors()) + " each logged in as itself" : "");
    }
}
