package no.knutepunkt.simulator;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The load mode's fleet: a third each of nordic-telecare BP cuffs, acme-medical scales/oximeters and
 * medgw gateways with an oximeter and a thermometer behind (the benchmark's mix), and a synthetic
 * patient for each, so {@code --provision} can assign every device and the readings are stored
 * rather than parked. Serials carry the seed's tag, so fleets of different seeds never collide.
 */
public final class LoadFleet {

    private LoadFleet() {
    }

    /** At least three devices; rounded down to a multiple of three. */
    public static List<SimulatedDevice> of(int devices, long seed) {
        String tag = PilotPlan.tag(seed);
        List<SimulatedDevice> fleet = new ArrayList<>();
        for (int i = 0; i < Math.max(1, devices / 3); i++) {
            fleet.add(SimulatedDevice.of(SimulatedDevice.CANONICAL_VENDOR, serial("NT-LBP", tag, i), "systolic", "diastolic", "pulse"));
            fleet.add(SimulatedDevice.of(SimulatedDevice.ACME_VENDOR, serial("AC-LD", tag, i), "weight", "spo2"));
            fleet.add(new SimulatedDevice(SimulatedDevice.GATEWAY_VENDOR, serial("MG-LGW", tag, i), List.of(),
                    List.of(SimulatedDevice.of(SimulatedDevice.GATEWAY_VENDOR, serial("MG-LOX", tag, i), "spo2", "pulse"),
                            SimulatedDevice.of(SimulatedDevice.GATEWAY_VENDOR, serial("MG-LTH", tag, i), "temperature"))));
        }
        return fleet;
    }

    /** A patient per device (a gateway and the devices behind it are one patient's). */
    public static List<PatientKit> kits(List<SimulatedDevice> fleet, long seed) {
        SplittableRandom r = Seeds.random(seed, 0x10ad);
        Set<String> numbers = new HashSet<>();
        List<PatientKit> kits = new ArrayList<>();
        for (SimulatedDevice d : fleet) {
            String number;
            do {
                number = SyntheticNationalIds.fodselsnummer(r);
            } while (!numbers.add(number));
            List<PatientKit.Device> devices = new ArrayList<>();
            devices.add(new PatientKit.Device(d.vendor(), d.serial(), "load " + d.vendor(), d.measures(), d.isGateway()));
            for (SimulatedDevice behind : d.behindGateway()) {
                devices.add(new PatientKit.Device(behind.vendor(), behind.serial(), "load " + behind.vendor(), behind.measures(), false));
            }
            kits.add(new PatientKit(number, "Last", "Pasient", "other", devices));
        }
        return kits;
    }

    private static String serial(String prefix, String tag, int i) {
        return String.format(Locale.ROOT, "%s-%s%06d", prefix, tag, i);
    }
}
