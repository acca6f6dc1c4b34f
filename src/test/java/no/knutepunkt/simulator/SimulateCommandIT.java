package no.knutepunkt.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * {@code java -jar quarkus-run.jar simulate ...}: the packaged hub runs the device simulator, and only
 * the simulator — no configuration read, no embedded servers, no Quarkus start.
 */
class SimulateCommandIT {

    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");

    private record Result(int status, String output) {
    }

    @Test
    void helpComesFromTheSimulatorWithoutStartingTheHub() throws Exception {
        assertThat(JAR).as("packaged hub; run through 'mvnw verify'").exists();
        Result help = simulate("--help");

        assertThat(help.status()).isZero();
        assertThat(help.output()).startsWith("Usage: java -jar target/quarkus-app/quarkus-run.jar simulate")
                .contains("realistic", "load", "bad", "replay FILE", "--provision")
                .doesNotContain("Quarkus", "PostgreSQL 17", "HiveMQ", "Listening on");
    }

    @Test
    void aWrongOptionIsUsageAndABrokerThatIsNotThereIsAFailure() throws Exception {
        assertThat(simulate("--wrong").status()).isEqualTo(2);
        Result noBroker = simulate("bad", "--mqtt-url", "tcp://127.0.0.1:1", "--patients", "3");
        assertThat(noBroker.status()).as(noBroker.output()).isEqualTo(3);
        assertThat(noBroker.output()).contains("tcp://127.0.0.1:1");
    }

    private static Result simulate(String... args) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-jar", JAR.toString(), "simulate"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        // The simulator reads the hub's broker variables; none from this JVM's environment may leak in.
        pb.environment().keySet().removeIf(k -> k.startsWith("MQTT_") || k.equals("HUB_URL"));
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), output);
    }
}
