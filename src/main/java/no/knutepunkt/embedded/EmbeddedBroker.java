package no.knutepunkt.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;

import org.jboss.logging.Logger;

import com.hivemq.embedded.EmbeddedHiveMQ;

/**
 * An MQTT broker inside the hub's own JVM (HiveMQ Community Edition), so the one-command demo needs
 * no broker install. Sessions and queued messages are kept on disk under the data dir, so a
 * restarted demo picks up where it stopped.
 * <p>
 * For the demo's low rates only. In our spike HiveMQ CE handed a manual-ack Paho MQTT 5 subscriber
 * just ONE unacknowledged QoS 1 message at a time, whatever Receive Maximum the client announced,
 * so with ack-after-commit every message costs a full commit round trip. Tests and benchmarks use
 * Mosquitto; production uses an external broker.
 * <p>
 * {@link #withAccessControl} is the demo's broker: only the hub (its own generated account,
 * {@link HubAccount}) and registered vendors with their active credential get in, each to its own
 * topics, and refusals are counted ({@link BrokerRefusals}). The plain constructor lets anyone use
 * any topic, as the tests that run the hub against this broker need.
 */
public final class EmbeddedBroker implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedBroker.class);
    private static final long TIMEOUT_SECONDS = 60;

    /**
     * The levels HiveMQ's own logback.xml sets, which {@code withoutLoggingBootstrap()} leaves out,
     * plus oshi silenced: oshi-core 6.6 wants JNA 5.16 but the Quarkus BOM pins JNA 5.8, so oshi logs
     * "ERROR Did not JNA classes" at every start and falls back to plain /proc reading, which is all
     * HiveMQ needs (system facts for its start-up log). Set here rather than in application.properties
     * because the demo starts the broker before Quarkus has configured logging. Held in a field: the
     * JDK's log manager forgets the level of a logger nobody references.
     */
    private static final List<java.util.logging.Logger> QUIETED = List.of(
            quiet("oshi", Level.OFF),
            quiet("jetbrains.exodus", Level.WARNING),
            quiet("migrations", Level.WARNING),
            quiet("com.google.common.util.concurrent.Futures.CombinedFuture", Level.OFF));

    private final Path dataDir;
    private final int port;
    private final AccountDatabase vendorLogins;
    private EmbeddedHiveMQ hivemq;
    private HubAccount hubAccount;

    /**
     * A broker without access control: anyone may connect and use any topic.
     *
     * @param dataDir holds conf/ (generated at each start), data/ (sessions, queues, retained
     *        messages) and extensions/ (empty)
     * @param port loopback port to listen on; 0 picks a free one
     */
    public EmbeddedBroker(Path dataDir, int port) {
        this(dataDir, port, null);
    }

    private EmbeddedBroker(Path dataDir, int port, AccountDatabase vendorLogins) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.port = port == 0 ? FreePort.pick() : port;
        this.vendorLogins = vendorLogins;
    }

    /**
     * A broker that lets in the hub with its own account (made in {@code dataDir/hub-secret} on
     * first start) and vendors with their active credential, looked up in {@code vendorLogins} at
     * each CONNECT; each may use its own topics only.
     */
    public static EmbeddedBroker withAccessControl(Path dataDir, int port, AccountDatabase vendorLogins) {
        return new EmbeddedBroker(dataDir, port, vendorLogins);
    }

    public synchronized void start() {
        if (hivemq != null) {
            return;
        }
        long began = System.nanoTime();
        Path conf = dataDir.resolve("conf");
        Path data = dataDir.resolve("data");
        Path extensions = dataDir.resolve("extensions");
        try {
            Files.createDirectories(conf);
            Files.createDirectories(data);
            Files.createDirectories(extensions);
            Files.writeString(conf.resolve("config.xml"), config(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the broker's directories under " + dataDir, e);
        }
        var builder = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(conf)
                .withDataFolder(data)
                .withExtensionsFolder(extensions)
                // HiveMQ's own logging bootstrap installs logback, which fights Quarkus's log manager.
                .withoutLoggingBootstrap();
        if (vendorLogins != null) {
            hubAccount = HubAccount.inDataDir(dataDir);
            builder.withEmbeddedExtension(new AccessControl(hubAccount, vendorLogins).extension());
        }
        EmbeddedHiveMQ broker = builder.build();
        try {
            broker.start().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            closeQuietly(broker);
            throw new IllegalStateException("the embedded MQTT broker did not start on 127.0.0.1:" + port, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(broker);
            throw new IllegalStateException("interrupted while starting the embedded MQTT broker", e);
        }
        hivemq = broker;
        LOG.infof("MQTT broker (embedded HiveMQ CE) ready at %s in %d ms (data %s)%s", url(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began), dataDir,
                vendorLogins == null ? ", without access control" : ", for the hub and registered vendors only");
    }

    public synchronized void stop() {
        if (hivemq == null) {
            return;
        }
        EmbeddedHiveMQ broker = hivemq;
        hivemq = null;
        try {
            broker.close();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the embedded MQTT broker did not stop cleanly", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the embedded MQTT broker", e);
        }
    }

    @Override
    public void close() {
        stop();
    }

    public synchronized boolean isRunning() {
        return hivemq != null;
    }

    public int port() {
        return port;
    }

    /** The hub's own login, once an access-controlled broker has started; empty for an open one. */
    public synchronized Optional<HubAccount> hubAccount() {
        return Optional.ofNullable(hubAccount);
    }

    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    public Path dataDir() {
        return dataDir;
    }

    private String config() {
        // Queue limit: HiveMQ's default of 1000 queued messages per offline session would drop readings
        // while the hub restarts; nothing may vanish (architecture.md).
        return """
                <?xml version="1.0"?>
                <!-- Written by EmbeddedBroker at every start; edits are lost. -->
                <hivemq>
                    <listeners>
                        <tcp-listener>
                            <port>%d</port>
                            <bind-address>127.0.0.1</bind-address>
                        </tcp-listener>
                    </listeners>
                    <mqtt>
                        <queued-messages>
                            <max-queue-size>1000000</max-queue-size>
                        </queued-messages>
                    </mqtt>
                    <persistence>
                        <mode>file</mode>
                    </persistence>
                    <anonymous-usage-statistics>
                        <enabled>false</enabled>
                    </anonymous-usage-statistics>
                </hivemq>
                """.formatted(port);
    }

    private static java.util.logging.Logger quiet(String category, Level level) {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(category);
        if (logger.getLevel() == null) {
            logger.setLevel(level);
        }
        return logger;
    }

    private static void closeQuietly(EmbeddedHiveMQ broker) {
        try {
            broker.close();
        } catch (ExecutionException | RuntimeException e) {
            LOG.debug("closing a broker that failed to start", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
