package no.knutepunkt.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;

import org.jboss.logging.Logger;

import no.knutepunkt.embedded.EmbeddedBroker;
import no.knutepunkt.embedded.EmbeddedPostgres;
import no.knutepunkt.embedded.LocalIssuer;
import no.knutepunkt.embedded.LoginRoles;

/**
 * The PostgreSQL and MQTT broker of one test JVM, started on first use and stopped when the JVM
 * exits. Each comes from outside when its variable is set, otherwise we start our own:
 * <ul>
 * <li>TEST_DB_URL (+ TEST_DB_USER, default postgres, and TEST_DB_PASSWORD): a fresh database
 * {@code knutepunkt_test_<run>} is created there. Unset: an {@link EmbeddedPostgres} on a free
 * port with a fresh data dir under target/knutepunkt-test/.</li>
 * <li>TEST_MQTT_URL: that broker. Unset: a private {@link MosquittoBroker} on a free port, or with
 * TEST_BROKER=hivemq (environment or system property) the in-process {@link EmbeddedBroker}.</li>
 * </ul>
 * Servers we started live in target/knutepunkt-test/{run}/, which a lock marks as in use; a later
 * run stops servers left behind by a JVM that was killed, and deletes their directories.
 */
final class TestServers {

    private static final Logger LOG = Logger.getLogger(TestServers.class);

    private static TestServers current;

    final String run = UUID.randomUUID().toString().substring(0, 8);
    /** The role the hub connects as (owns nothing); {@link #ownerUser} owns the schema and migrates. */
    static final String HUB_ROLE = "knutepunkt_hub";
    String jdbcUrl;
    String dbUser;
    String dbPassword;
    String ownerUser;
    String ownerPassword;
    String mqttUrl;
    EmbeddedPostgres postgres;
    MosquittoBroker mosquitto;
    EmbeddedBroker embeddedBroker;
    /** The OIDC issuer the test hub trusts (both realms); tests mint their callers' tokens with it ({@link Tokens}). */
    LocalIssuer issuer;
    private Path runDir;
    private FileChannel lockChannel;
    private FileLock lock;

    private TestServers() {
    }

    static synchronized TestServers get() {
        if (current == null) {
            TestServers servers = new TestServers();
            Runtime.getRuntime().addShutdownHook(new Thread(servers::stop, "test-servers-stop"));
            current = servers;
            servers.start();
        }
        return current;
    }

    private void start() {
        String dbUrl = setting("TEST_DB_URL");
        String brokerUrl = setting("TEST_MQTT_URL");
        claimRunDir();
        issuer = LocalIssuer.start(LocalIssuer.Settings.of(0, runDir.resolve("issuer"), Path.of("deploy/seed/demo-users.json")));
        if (dbUrl != null) {
            useExternalDatabase(dbUrl);
        } else {
            postgres = EmbeddedPostgres.builder(runDir.resolve("postgres")).port(0).database("knutepunkt_test")
                    .superuser("knutepunkt").loginRole(HUB_ROLE).build();
            postgres.start();
            jdbcUrl = postgres.jdbcUrl();
            ownerUser = postgres.user();
            ownerPassword = "";
            dbUser = HUB_ROLE;
            dbPassword = "";
        }
        if (brokerUrl != null) {
            mqttUrl = brokerUrl;
        } else if ("hivemq".equals(String.valueOf(setting("TEST_BROKER")).toLowerCase(Locale.ROOT))) {
            embeddedBroker = new EmbeddedBroker(runDir.resolve("hivemq"), 0);
            embeddedBroker.start();
            mqttUrl = embeddedBroker.url();
        } else {
            mosquitto = new MosquittoBroker(runDir.resolve("mosquitto"));
            mosquitto.start();
            mqttUrl = mosquitto.url();
        }
    }

    /**
     * A fresh database owned by TEST_DB_USER, and the hub's role (cluster-wide, created once). The
     * server must let the hub's role in without a password from here (trust on loopback, as
     * Debian's PostgreSQL does for local connections) or TEST_DB_HUB_PASSWORD must be its password.
     */
    private void useExternalDatabase(String adminUrl) {
        ownerUser = System.getenv().getOrDefault("TEST_DB_USER", "postgres");
        ownerPassword = System.getenv().getOrDefault("TEST_DB_PASSWORD", "");
        dbUser = HUB_ROLE;
        dbPassword = System.getenv().getOrDefault("TEST_DB_HUB_PASSWORD", "");
        String database = "knutepunkt_test_" + run;
        try (Connection admin = DriverManager.getConnection(adminUrl, ownerUser, ownerPassword);
                Statement s = admin.createStatement()) {
            // An identifier cannot be a bound parameter; the name is ours, [a-z0-9_] only.
            s.execute("CREATE DATABASE " + database);
            LoginRoles.ensure(admin, HUB_ROLE);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database on " + adminUrl, e);
        }
        jdbcUrl = adminUrl.replaceAll("/[^/?]*(\\?.*)?$", "/" + database + "$1");
    }

    private synchronized void stop() {
        if (issuer != null) {
            issuer.stop();
        }
        if (embeddedBroker != null) {
            embeddedBroker.stop();
        }
        if (mosquitto != null) {
            mosquitto.stop();
        }
        if (postgres != null) {
            postgres.stop();
        }
        if (runDir != null) {
            try {
                lock.release();
                lockChannel.close();
                Files.deleteIfExists(runDir.resolveSibling(run + ".lock"));
                deleteRecursively(runDir);
            } catch (IOException e) {
                LOG.warnf("cannot delete %s: %s", runDir, e.getMessage());
            }
        }
    }

    /**
     * target/knutepunkt-test/{run}, locked for as long as this JVM lives. As root, PostgreSQL runs
     * as nobody, who may not be able to enter target/ (a checkout under /root, say); then the run
     * dir goes to the temp dir instead.
     */
    private void claimRunDir() {
        Path base = Path.of("target", "knutepunkt-test").toAbsolutePath();
        try {
            Files.createDirectories(base);
            if (!EmbeddedPostgres.canUseDataDir(base.resolve(run))) {
                base = Path.of(System.getProperty("java.io.tmpdir"), "knutepunkt-test");
                Files.createDirectories(base);
                Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            sweepLeftovers(base);
            runDir = Files.createDirectories(base.resolve(run));
            lockChannel = FileChannel.open(base.resolve(run + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            lock = lockChannel.lock();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare a directory for the test servers under " + base, e);
        }
    }

    /** Servers and directories of earlier runs whose JVM no longer holds their lock. */
    private static void sweepLeftovers(Path base) throws IOException {
        try (Stream<Path> entries = Files.list(base)) {
            for (Path lockFile : (Iterable<Path>) entries.filter(p -> p.toString().endsWith(".lock"))::iterator) {
                String name = lockFile.getFileName().toString();
                Path dir = base.resolve(name.substring(0, name.length() - ".lock".length()));
                try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
                        FileLock abandoned = channel.tryLock()) {
                    if (abandoned == null) {
                        continue;
                    }
                    LOG.infof("stopping servers left by an earlier test run in %s", dir);
                    MosquittoBroker.killLeftover(dir.resolve("mosquitto"));
                    if (Files.exists(dir.resolve("postgres/postmaster.pid"))) {
                        EmbeddedPostgres.builder(dir.resolve("postgres")).build().stop();
                    }
                    deleteRecursively(dir);
                    Files.delete(lockFile);
                } catch (OverlappingFileLockException e) {
                    // Held by this very JVM (a second class loader): in use.
                }
            }
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String setting(String name) {
        String value = System.getProperty(name, System.getenv(name));
        return value == null || value.isBlank() ? null : value;
    }
}
