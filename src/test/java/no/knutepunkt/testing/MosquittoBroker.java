package no.knutepunkt.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import no.knutepunkt.embedded.FreePort;

/**
 * A private Mosquitto for tests and benchmarks: its own process, port, config and persistence file,
 * so fault tests can stop, kill -9 and restart it without touching anyone else's broker. The port
 * and the persistence stay the same across restarts, as with a real broker coming back.
 * <p>
 * Settings that matter for "nothing vanishes" (architecture.md): max_queued_messages is raised
 * from 1000, past which Mosquitto silently drops QoS 1 messages for an offline persistent
 * subscriber; max_queued_bytes 0 means no byte limit. Mosquitto acknowledges a QoS 1 PUBLISH from
 * memory and writes its persistence file only every autosave_interval seconds (and at a clean
 * stop), so a kill -9 loses what arrived since the last save; 1 keeps that window small (a save
 * every two seconds in practice: Mosquitto compares whole seconds). Mosquitto 2.0 does not keep
 * shared subscriptions across any restart; the subscribers must subscribe again.
 * <p>
 * By default anyone may connect and use any topic, as the ingest tests and the fault campaign need.
 * {@link #withAccessControl} makes it the deployment's broker instead: a password file (the one the
 * hub exports) and an ACL file (deploy/mosquitto/acl), no anonymous clients.
 */
public final class MosquittoBroker implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

    private final Path dir;
    private final int port;
    private final Path executable;
    private final Path passwordFile;
    private final Path aclFile;
    private Process process;

    /**
     * @param dir holds mosquitto.conf, mosquitto.db and mosquitto.log; created if missing
     */
    public MosquittoBroker(Path dir) {
        this(dir, null, null);
    }

    private MosquittoBroker(Path dir, Path passwordFile, Path aclFile) {
        this.dir = dir.toAbsolutePath().normalize();
        this.port = FreePort.pick();
        this.executable = findExecutable();
        this.passwordFile = passwordFile == null ? null : passwordFile.toAbsolutePath().normalize();
        this.aclFile = aclFile == null ? null : aclFile.toAbsolutePath().normalize();
    }

    /**
     * A broker that lets in only the users of the password file (Mosquitto's {@code user:$7$...}
     * lines) and lets each use only the topics the ACL file gives it. Both are read at every start.
     */
    public static MosquittoBroker withAccessControl(Path dir, Path passwordFile, Path aclFile) {
        return new MosquittoBroker(dir, passwordFile, aclFile);
    }

    /** Whether Mosquitto is installed where {@link MosquittoBroker} looks for it, for tests that skip without it. */
    public static boolean installed() {
        try {
            findExecutable();
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("mosquitto.conf"), config(), StandardCharsets.UTF_8);
            process = new ProcessBuilder(executable.toString(), "-c", dir.resolve("mosquitto.conf").toString())
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.out").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + executable + " in " + dir, e);
        }
        Process started = process;
        try {
            Awaitility.await("Mosquitto accepting connections on " + url())
                    .atMost(READY_TIMEOUT)
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        if (!started.isAlive()) {
                            throw new IllegalStateException("Mosquitto exited with " + started.exitValue()
                                    + " (port " + port + " taken?):\n" + tail(dir.resolve("mosquitto.log"))
                                    + tail(dir.resolve("mosquitto.out")));
                        }
                        return acceptsConnections();
                    });
        } catch (ConditionTimeoutException e) {
            kill();
            throw e;
        }
    }

    /** SIGTERM: Mosquitto saves its persistence file and exits. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        awaitExit();
    }

    /** kill -9: no final save; what arrived since the last autosave is lost, as on a real crash. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        awaitExit();
    }

    /** Stop then start, on the same port and persistence. */
    public synchronized void restart() {
        stop();
        start();
    }

    @Override
    public void close() {
        stop();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    public int port() {
        return port;
    }

    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    public Path dir() {
        return dir;
    }

    /**
     * When Mosquitto last finished writing its store (it writes mosquitto.db.new, then renames it),
     * or empty if it never has: what it acknowledged after this, a kill -9 now would lose unless
     * already handed on.
     */
    public Optional<Instant> lastSave() {
        try {
            Path store = dir.resolve("mosquitto.db");
            return Files.exists(store) ? Optional.of(Files.getLastModifiedTime(store).toInstant()) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the time of " + dir.resolve("mosquitto.db"), e);
        }
    }

    /**
     * Kills the Mosquitto that a broker in {@code dir} started, if it still runs: for sweeping up
     * after a test JVM that was killed before it could stop its own.
     */
    public static void killLeftover(Path dir) {
        Path pidFile = dir.resolve("mosquitto.pid");
        try {
            if (!Files.exists(pidFile)) {
                return;
            }
            long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).trim());
            ProcessHandle.of(pid)
                    .filter(p -> p.info().command().map(c -> c.endsWith("/mosquitto")).orElse(false))
                    .ifPresent(p -> {
                        p.destroyForcibly();
                        p.onExit().join();
                    });
        } catch (IOException | NumberFormatException e) {
            // No readable pid: nothing we can safely kill.
        }
    }

    private void awaitExit() {
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(20, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping Mosquitto", e);
        }
        process = null;
    }

    private boolean acceptsConnections() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private String config() {
        return String.join("\n",
                "# Written by MosquittoBroker at every start.",
                "listener " + port + " 127.0.0.1",
                access(),
                // Run as root, Mosquitto would switch to the user "mosquitto", who cannot write our files.
                "user " + System.getProperty("user.name"),
                "persistence true",
                "persistence_location " + dir + "/",
                "persistence_file mosquitto.db",
                "autosave_interval 1",
                "max_queued_messages 1000000",
                "max_queued_bytes 0",
                // Only MQTT 3 clients use this; an MQTT 5 client's Receive Maximum sets its own window.
                "max_inflight_messages 0",
                "set_tcp_nodelay true",
                // Lets a later test run find and end a Mosquitto whose JVM was killed.
                "pid_file " + dir.resolve("mosquitto.pid"),
                "log_dest file " + dir.resolve("mosquitto.log"),
                "log_type error",
                "log_type warning",
                "log_type notice",
                "log_type information",
                "connection_messages true",
                "")
                + "\n";
    }

    private String access() {
        if (passwordFile == null) {
            return "allow_anonymous true";
        }
        return String.join("\n", "allow_anonymous false", "password_file " + passwordFile, "acl_file " + aclFile);
    }

    private static Path findExecutable() {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/usr/local/sbin";
        for (String d : path.split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, "mosquitto"))) {
                return Path.of(d, "mosquitto");
            }
        }
        throw new IllegalStateException("mosquitto not found on PATH nor in /usr/sbin: install the Debian package "
                + "mosquitto (apt-get install mosquitto); .ci/run does");
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size())) + "\n";
        } catch (IOException e) {
            return "";
        }
    }
}
