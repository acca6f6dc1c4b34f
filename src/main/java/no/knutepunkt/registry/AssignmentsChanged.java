package no.knutepunkt.registry;

import java.util.List;

/**
 * Fired after a transaction that created or changed device assignments has committed: parked
 * readings of these devices may now be routable.
 */
public record AssignmentsChanged(List<DeviceRouting.DeviceKey> devices) {
}
