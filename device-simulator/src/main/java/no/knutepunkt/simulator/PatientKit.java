package no.knutepunkt.simulator;

import java.util.ArrayList;
import java.util.List;

/**
 * What provisioning registers for one patient: the person, the programme they are enrolled in, and
 * the devices (gateways included) assigned to them.
 */
public record PatientKit(String fodselsnummer, String givenName, String familyName, String programme, List<Device> devices) {

    /** A device as the registry knows it. */
    public record Device(String vendorId, String serial, String model, List<String> kinds, boolean gateway) {
    }

    public PatientKit {
        devices = List.copyOf(devices);
    }

    public static List<PatientKit> of(SimulatedPilot pilot) {
        List<PatientKit> kits = new ArrayList<>();
        for (SimulatedPatient p : pilot.patients()) {
            kits.add(new PatientKit(p.fodselsnummer(), p.givenName(), p.familyName(), p.programme().wireName(), p.devices().stream()
                    .map(d -> new Device(d.vendor().id(), d.serial(), d.model(), d.type().kinds(), d.type() == DeviceType.GATEWAY))
                    .toList()));
        }
        return kits;
    }
}
