package no.knutepunkt.simulator;

import java.util.List;

/** What a home device is, and what it measures (kinds as device-contract.md names them). */
public enum DeviceType {

    PULSE_OXIMETER("OX", "PO-200", List.of("spo2", "pulse")),
    THERMOMETER("TH", "TH-10", List.of("temperature")),
    SCALE("SC", "WS-300", List.of("weight")),
    BP_CUFF("BP", "BPM-10", List.of("systolic", "diastolic", "mean-arterial", "pulse")),
    GLUCOMETER("GL", "GM-5", List.of("glucose")),
    /** A medgw home hub: measures nothing itself, forwards what the devices behind it measured. */
    GATEWAY("GW", "Home Hub", List.of());

    private final String code;
    private final String model;
    private final List<String> kinds;

    DeviceType(String code, String model, List<String> kinds) {
        this.code = code;
        this.model = model;
        this.kinds = kinds;
    }

    String code() {
        return code;
    }

    public String model() {
        return model;
    }

    public List<String> kinds() {
        return kinds;
    }
}
