package no.knutepunkt.simulator;

/**
 * One device in a patient's home. {@code poundsScale}: a scale set to pounds (the hub converts);
 * {@code factoryClock}: a device whose clock was never set, so it reports times counted from
 * 1970-01-01 since it was switched on (the hub stores such readings at the gateway's send time).
 */
public record PatientDevice(SimulatedVendor vendor, DeviceType type, String serial, boolean poundsScale, boolean factoryClock) {

    public String model() {
        return vendor.displayName() + " " + type.model();
    }
}
