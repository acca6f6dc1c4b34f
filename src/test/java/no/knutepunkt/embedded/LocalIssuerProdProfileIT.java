package no.knutepunkt.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged hub runs as prod unless told otherwise, and then refuses the local issuer: the
 * demo's setting must not carry a deployment into accepting tokens anyone can mint.
 */
class LocalIssuerProdProfileIT {

    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");

    @TempDir
    Path tmp;

    @Test
    void theProdProfileRefusesToStartTheLocalIssuer() throws IOException, InterruptedException {
        assertThat(JAR).as("packaged hub; run through 'mvnw verify'").exists();
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-Dknutepunkt.local-issuer.enabled=true",
                "-Dknutepunkt.local-issuer.port=" + FreePort.pick(), "-jar", JAR.toAbsolutePath().toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("hub.log").toFile());
        builder.environment().put("EMBEDDED", "false");
        builder.environment().put("LOCAL_ISSUER_DATA_DIR", tmp.resolve("issuer").toString());
        Process hub = builder.start();
        try {
            assertThat(hub.waitFor(60, TimeUnit.SECONDS)).as("exits at once").isTrue();
        } finally {
            hub.destroyForcibly();
        }
        String output = Files.readString(tmp.resolve("hub.log"), StandardCharsets.UTF_8);

        assertThat(hub.exitValue()).as(output).isEqualTo(1);
        assertThat(output).contains("knutepunkt.local-issuer.enabled is true under the prod profile");
        assertThat(tmp.resolve("issuer")).as("nothing made: no key, no secrets").doesNotExist();
    }
}
