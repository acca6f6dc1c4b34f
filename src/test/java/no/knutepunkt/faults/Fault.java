package no.knutepunkt.faults;

import java.util.Arrays;

/** What the fault campaign does to one of the processes, by the name its options and report use. */
enum Fault {
    HUB_KILL("hub-kill", "kill -9 of a hub instance, started again after a while"),
    BROKER_RESTART("broker-restart", "Mosquitto stopped (SIGTERM: it saves its store first) and started again"),
    BROKER_CRASH("broker-crash", "kill -9 of Mosquitto, started again on its last saved store"),
    DB_RESTART("db-restart", "PostgreSQL fast shutdown (pg_ctl stop -m fast) and started again"),
    DB_CRASH("db-crash", "kill -9 of the PostgreSQL postmaster, started again on the same data dir (crash recovery)");

    private final String label;
    private final String description;

    Fault(String label, String description) {
        this.label = label;
        this.description = description;
    }

    String label() {
        return label;
    }

    String description() {
        return description;
    }

    static Fault of(String label) {
        return Arrays.stream(values()).filter(f -> f.label.equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no fault '" + label + "'; known: "
                        + String.join(", ", Arrays.stream(values()).map(Fault::label).toList())));
    }
}
