package no.knutepunkt.simulator;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One patient of the simulated pilot: a synthetic fødselsnummer, a programme, the devices at home
 * (all from one vendor; a medgw patient also has the gateway, listed first), their normal values,
 * and what the script has in store: an episode, and when they stop measuring.
 */
public record SimulatedPatient(int index, String fodselsnummer, String givenName, String familyName, Programme programme,
        SimulatedVendor vendor, List<PatientDevice> devices, Baseline baseline, Episode episode, Instant stopsMeasuringAt) {

    public SimulatedPatient {
        devices = List.copyOf(devices);
    }

    public String name() {
        return givenName + " " + familyName;
    }

    /** The medgw home hub, for a medgw patient. */
    public Optional<PatientDevice> gateway() {
        return devices.stream().filter(d -> d.type() == DeviceType.GATEWAY).findFirst();
    }

    public PatientDevice device(DeviceType type) {
        return devices.stream().filter(d -> d.type() == type).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(name() + " has no " + type));
    }

    public Optional<Episode> episodeOf(Episode.Kind kind) {
        return episode != null && episode.kind() == kind ? Optional.of(episode) : Optional.empty();
    }

    /** What the script does with this patient, for reports; empty for an ordinary patient. */
    public String role() {
        StringBuilder s = new StringBuilder();
        if (episode != null) {
            s.append(switch (episode.kind()) {
                case COPD_EXACERBATION -> "COPD exacerbation";
                case FLUID_RETENTION -> "fluid retention";
                case HYPERTENSIVE_SPIKE -> "hypertensive spike";
                case HYPOGLYCAEMIA -> "hypoglycaemia";
            });
        }
        if (stopsMeasuringAt != null) {
            s.append(s.isEmpty() ? "" : ", ").append("stops measuring");
        }
        devices.stream().filter(PatientDevice::factoryClock).findFirst()
                .ifPresent(d -> s.append(s.isEmpty() ? "" : ", ").append("factory-default clock on ").append(d.serial()));
        devices.stream().filter(PatientDevice::poundsScale).findFirst()
                .ifPresent(d -> s.append(s.isEmpty() ? "" : ", ").append("scale in lb (").append(d.serial()).append(')'));
        return s.toString();
    }
}
