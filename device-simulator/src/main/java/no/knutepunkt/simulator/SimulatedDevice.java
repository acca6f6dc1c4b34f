package no.knutepunkt.simulator;

import java.util.List;

/**
 * One device the simulator drives: its vendor (which decides the payload format), the serial the
 * vendor knows it by, and what it measures. A {@code medgw} gateway carries the devices behind it.
 */
public record SimulatedDevice(String vendor, String serial, List<String> measures, List<SimulatedDevice> behindGateway) {

    public static final String CANONICAL_VENDOR = "nordic-telecare";
    public static final String ACME_VENDOR = "acme-medical";
    public static final String GATEWAY_VENDOR = "medgw";

    public SimulatedDevice {
        measures = List.copyOf(measures);
        behindGateway = List.copyOf(behindGateway);
    }

    public static SimulatedDevice of(String vendor, String serial, String... measures) {
        return new SimulatedDevice(vendor, serial, List.of(measures), List.of());
    }

    public boolean isGateway() {
        return !behindGateway.isEmpty();
    }

    /** Readings (one per future Observation) in one message from this device. */
    public int readingsPerMessage() {
        if (isGateway()) {
            return behindGateway.stream().mapToInt(d -> d.measures().size()).sum();
        }
        if (CANONICAL_VENDOR.equals(vendor)) {
            return measures.size();
        }
        return 1;
    }
}
