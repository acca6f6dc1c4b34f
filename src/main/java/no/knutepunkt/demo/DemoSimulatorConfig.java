package no.knutepunkt.demo;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;

/** knutepunkt.demo.simulator.*: the device simulator the one-command demo runs in-process. */
@ConfigMapping(prefix = "knutepunkt.demo.simulator")
interface DemoSimulatorConfig {

    /** On in the demo profile only. */
    boolean enabled();

    /** The hub's own HTTP API, which provisioning calls as a municipality would. */
    String hubUrl();

    /**
     * Where provisioning gets its callers' tokens: the local issuer's /demo/token (its users
     * "operator" and "admin", the pilot municipality's admin), which exists in the demo only.
     */
    String tokenUrl();

    long seed();

    int patients();

    /** How much faster than real time simulated time runs until it reaches now. */
    double factor();

    /** How far back simulated time starts. */
    Duration daysBack();

    /** How often the simulator's tally goes to the log; zero for only at the end. */
    Duration reportEvery();
}
