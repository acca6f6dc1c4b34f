package no.knutepunkt.simulator;

import java.time.Instant;
import java.util.List;

/** A patient sitting down to measure: the devices they use, one after the other. */
public record Session(SimulatedPatient patient, List<Use> uses) {

    /** One device used at one instant. */
    public record Use(PatientDevice device, Instant time) {
    }

    public Session {
        uses = List.copyOf(uses);
    }

    public Instant start() {
        return uses.get(0).time();
    }

    public Instant end() {
        return uses.get(uses.size() - 1).time();
    }
}
