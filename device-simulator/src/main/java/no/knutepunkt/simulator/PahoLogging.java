package no.knutepunkt.simulator;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Paho formats a trace message (MessageFormat, toString of every packet) for each packet whenever
 * its java.util.logging logger says FINE is loggable. Outside a configured Quarkus application —
 * the simulator, the benchmark — JBoss LogManager is on the class path and, until someone
 * configures it, lets every level through: measured, that formatting was half the publisher's CPU.
 */
public final class PahoLogging {

    /** Held, because java.util.logging keeps only weak references to its loggers and their levels. */
    private static final Logger PAHO = Logger.getLogger("org.eclipse.paho");

    private PahoLogging() {
    }

    /** Paho logs warnings and worse only. */
    public static void quiet() {
        PAHO.setLevel(Level.WARNING);
    }
}
