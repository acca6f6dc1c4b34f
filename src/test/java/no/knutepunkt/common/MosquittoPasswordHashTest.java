package no.knutepunkt.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import no.knutepunkt.testing.MosquittoBroker;
import no.knutepunkt.testing.MqttSession;

/** The {@code $7$} format, checked against Mosquitto's own tool and broker rather than against our reading of it. */
class MosquittoPasswordHashTest {

    private static final Path MOSQUITTO_PASSWD = Path.of("/usr/bin/mosquitto_passwd");

    @TempDir
    Path tmp;

    @Test
    void writesTheFormatMosquittoWrites() {
        String hash = MosquittoPasswordHash.hash("s3cret");

        assertThat(hash).matches("\\$7\\$101\\$[A-Za-z0-9+/]{16}\\$[A-Za-z0-9+/]{86}==");
        String[] parts = hash.split("\\$");
        assertThat(Base64.getDecoder().decode(parts[3])).hasSize(12);
        assertThat(Base64.getDecoder().decode(parts[4])).hasSize(64);
        assertThat(MosquittoPasswordHash.hash("s3cret")).as("a fresh salt each time").isNotEqualTo(hash);
    }

    @Test
    void acceptsOnlyTheSecretItWasMadeFrom() {
        String hash = MosquittoPasswordHash.hash("s3cret");

        assertThat(MosquittoPasswordHash.matches("s3cret", hash)).isTrue();
        assertThat(MosquittoPasswordHash.matches("s3cres", hash)).isFalse();
        assertThat(MosquittoPasswordHash.matches("", hash)).isFalse();
        assertThat(MosquittoPasswordHash.matches(null, hash)).isFalse();
        assertThat(MosquittoPasswordHash.matches("s3cret", null)).isFalse();
    }

    @Test
    void matchesNothingWithAStoredValueThatIsNotAHash() {
        String hash = MosquittoPasswordHash.hash("s3cret");

        assertThat(MosquittoPasswordHash.matches("s3cret", "s3cret")).isFalse();
        assertThat(MosquittoPasswordHash.matches("s3cret", hash.replace("$7$", "$6$"))).isFalse();
        assertThat(MosquittoPasswordHash.matches("s3cret", hash.substring(0, hash.length() - 4))).as("a shortened hash").isFalse();
        assertThat(MosquittoPasswordHash.matches("s3cret", "$7$99999999$AAAAAAAAAAAAAAAA$" + "A".repeat(86) + "==")).as("absurd iterations")
                .isFalse();
        assertThat(MosquittoPasswordHash.isWellFormed(hash)).isTrue();
        assertThat(MosquittoPasswordHash.isWellFormed("plain")).isFalse();
    }

    @Test
    void matchesAHashThatMosquittoPasswdWrote() throws Exception {
        assumeTrue(Files.isExecutable(MOSQUITTO_PASSWD), "mosquitto_passwd is not installed (Debian package mosquitto)");
        Path file = tmp.resolve("passwd");
        String secret = "nT-" + UUID.randomUUID();
        Process p = new ProcessBuilder(MOSQUITTO_PASSWD.toString(), "-c", "-b", file.toString(), "nordic-telecare", secret)
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();

        String line = Files.readAllLines(file, StandardCharsets.UTF_8).get(0);
        assertThat(line).startsWith("nordic-telecare:$7$");
        String hash = line.substring("nordic-telecare:".length());
        assertThat(MosquittoPasswordHash.isWellFormed(hash)).isTrue();
        assertThat(MosquittoPasswordHash.matches(secret, hash)).isTrue();
        assertThat(MosquittoPasswordHash.matches(secret + "x", hash)).isFalse();
    }

    @Test
    void aMosquittoGivenOurHashLetsInOnlyTheRightSecret() throws IOException {
        assumeTrue(MosquittoBroker.installed(), "mosquitto is not installed (Debian package mosquitto)");
        String secret = "our-" + UUID.randomUUID();
        Path passwords = Files.writeString(tmp.resolve("passwd"), "acme-medical:" + MosquittoPasswordHash.hash(secret) + "\n");
        Path acl = Files.write(tmp.resolve("acl"), List.of("pattern write knutepunkt/v1/%u/+/measurements"));
        MosquittoBroker broker = MosquittoBroker.withAccessControl(tmp.resolve("mosquitto"), passwords, acl);
        broker.start();
        try {
            assertThat(MqttSession.connectAnswer(broker.url(), "c-" + UUID.randomUUID(), "acme-medical", secret)).isZero();
            assertThat(MqttSession.connectAnswer(broker.url(), "c-" + UUID.randomUUID(), "acme-medical", secret + "x"))
                    .as("Mosquitto 2.0.11 answers a wrong password with CONNACK 0x87 not authorized, not 0x86").isEqualTo(0x87);
        } finally {
            broker.stop();
        }
    }
}
