package no.knutepunkt.simulator;

import java.util.List;

/** A monitoring programme and the devices a patient in it gets at home (issue 3). */
public enum Programme {

    COPD("copd", List.of(DeviceType.PULSE_OXIMETER, DeviceType.THERMOMETER)),
    HEART_FAILURE("heart-failure", List.of(DeviceType.SCALE, DeviceType.BP_CUFF)),
    HYPERTENSION("hypertension", List.of(DeviceType.BP_CUFF)),
    DIABETES("diabetes", List.of(DeviceType.GLUCOMETER));

    private final String wireName;
    private final List<DeviceType> devices;

    Programme(String wireName, List<DeviceType> devices) {
        this.wireName = wireName;
        this.devices = devices;
    }

    /** The programme as the registry names it. */
    public String wireName() {
        return wireName;
    }

    public List<DeviceType> devices() {
        return devices;
    }
}
