package no.knutepunkt.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import no.knutepunkt.embedded.FreePort;
import no.knutepunkt.testing.MosquittoBroker;

/** deploy/mosquitto/mosquitto.conf is a configuration Mosquitto starts with, its paths moved to a temporary directory. */
class MosquittoConfigExampleTest {

    @TempDir
    Path tmp;

    @Test
    void mosquittoStartsWithTheExampleConfiguration() throws Exception {
        assumeTrue(MosquittoBroker.installed() && Files.isExecutable(Path.of("/usr/bin/mosquitto_passwd")), "Mosquitto is not installed");
        int port = FreePort.pick();
        String conf = Files.readString(Path.of("deploy", "mosquitto", "mosquitto.conf"), StandardCharsets.UTF_8)
                .replace("/etc/mosquitto/knutepunkt/", tmp + "/")
                .replace("/var/lib/mosquitto/", tmp + "/")
                .replace("listener 1883 127.0.0.1", "listener " + port + " 127.0.0.1")
                // Run as root, Mosquitto would switch to the user "mosquitto", who cannot read our files.
                + "\nuser " + System.getProperty("user.name") + "\n";
        Files.writeString(tmp.resolve("mosquitto.conf"), conf);
        Files.copy(Path.of("deploy", "mosquitto", "acl"), tmp.resolve("acl"));
        Process passwd = new ProcessBuilder("/usr/bin/mosquitto_passwd", "-c", "-b", tmp.resolve("passwd").toString(), "knutepunkt-hub", "x")
                .redirectErrorStream(true).start();
        assertThat(passwd.waitFor(20, TimeUnit.SECONDS) && passwd.exitValue() == 0).isTrue();

        Process mosquitto = new ProcessBuilder("mosquitto", "-c", tmp.resolve("mosquitto.conf").toString()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("out").toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                assertThat(mosquitto.isAlive()).as(() -> read(tmp.resolve("out"))).isTrue();
                return accepts(port);
            });
        } finally {
            mosquitto.destroy();
            mosquitto.waitFor(20, TimeUnit.SECONDS);
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
