package no.knutepunkt.registry;

import java.util.List;

/**
 * Fired after a transaction that created or changed device assignments has committed: parked
 * readings of these devices may now be routable (device-contract.md, "Which patient"). Each
 * device is listed once.
 *
 * <p>It goes to synchronous ({@code @Observes}) observers first, on the registry caller's thread
 * (so when a registry request answers, they have run), then to asynchronous ({@code @ObservesAsync})
 * ones; each observer gets it once. An observer's failure is logged and does not undo the change.
 */
public record AssignmentsChanged(List<DeviceRouting.DeviceKey> devices) {

    public AssignmentsChanged {
        devices = List.copyOf(devices);
    }
}
