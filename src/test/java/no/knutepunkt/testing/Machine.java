package no.knutepunkt.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine a measurement ran on, for the tables that report it. */
public final class Machine {

    private Machine() {
    }

    /** Cores, CPU model and this JVM's heap, e.g. "2 cores (AMD EPYC 7B13), 1024 MiB heap". */
    public static String describe() {
        String cpu = "?";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 2)).orElse("?");
        } catch (IOException e) {
            // unknown CPU
        }
        return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), "
                + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB heap";
    }
}
