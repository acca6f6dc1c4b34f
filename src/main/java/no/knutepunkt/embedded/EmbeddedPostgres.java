package no.knutepunkt.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;

/**
 * A PostgreSQL server of our own, from the binaries bundled on the classpath, for the one-command
 * demo and for tests. It is a separate process started with pg_ctl, so it outlives a JVM killed
 * with kill -9; the next start notices and stops it first.
 * <p>
 * Run as root, the server runs as nobody (see {@link PostgresAccount}). The durability settings the
 * hub checks at start-up (fsync, synchronous_commit, full_page_writes) are always on: the embedded
 * server is the system of record in the demo, and crash tests must mean something.
 *
 * <pre>
 * EmbeddedPostgres pg = EmbeddedPostgres.builder(Path.of("/var/tmp/knutepunkt/postgres"))
 *         .port(0).database("knutepunkt").superuser("knutepunkt").build();
 * pg.start();   // initdb on first use, then pg_ctl start, then CREATE DATABASE if missing
 * pg.jdbcUrl(); // jdbc:postgresql://127.0.0.1:{port}/knutepunkt, no password
 * pg.stop();
 * </pre>
 */
public final class EmbeddedPostgres implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedPostgres.class);
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    /** Our settings live in their own file, rewritten at every start, so a changed port or setting takes effect. */
    private static final String SETTINGS_FILE = "knutepunkt.conf";
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(90);

    private final Path dataDir;
    private final String database;
    private final String superuser;
    private final List<String> loginRoles;
    private final Map<String, String> settings;
    private final PostgresAccount account;
    private int port;
    private Path binaries;

    private EmbeddedPostgres(Builder builder) {
        this.dataDir = builder.dataDir.toAbsolutePath().normalize();
        this.port = builder.port;
        this.database = builder.database;
        this.superuser = builder.superuser;
        this.loginRoles = List.copyOf(builder.loginRoles);
        this.settings = builder.settings;
        this.account = PostgresAccount.forThisProcess();
    }

    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    /**
     * Whether a server for {@code dataDir} can run here: when the JVM is root, nobody must be able to
     * enter every directory on the way to it.
     */
    public static boolean canUseDataDir(Path dataDir) {
        return PostgresAccount.forThisProcess().canReach(dataDir);
    }

    /**
     * Creates the cluster if needed, starts the server (stopping one left running by an earlier
     * JVM first) and creates the database if it is missing. The port chosen for port 0 is kept for
     * later restarts, so JDBC URLs stay valid.
     */
    public synchronized void start() {
        long began = System.nanoTime();
        prepareDataDir();
        if (!Files.exists(dataDir.resolve("PG_VERSION"))) {
            initdb();
        }
        stopLeftover();
        if (port == 0) {
            port = FreePort.pick();
        }
        writeSettings();
        Tool result = run("pg_ctl", "-D", dataDir.toString(), "-l", logFile().toString(), "-w", "-t", "60", "start");
        if (result.exitCode != 0) {
            throw new IllegalStateException("PostgreSQL did not start on port " + port + " (pg_ctl exit "
                    + result.exitCode + "): " + result.output + "\n--- end of " + logFile() + " ---\n" + logTail());
        }
        createDatabaseIfMissing();
        createLoginRolesIfMissing();
        LOG.infof("PostgreSQL %s ready at %s in %d ms (data %s)", PostgresBinaries.VERSION, jdbcUrl(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began), dataDir);
    }

    /** Fast shutdown: open transactions roll back, committed data is on disk. No-op when not running. */
    public synchronized void stop() {
        Optional<ProcessHandle> postmaster = postmaster();
        if (postmaster.isEmpty()) {
            return;
        }
        Tool result = run("pg_ctl", "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "60", "stop");
        if (result.exitCode != 0 && postmaster().isPresent()) {
            throw new IllegalStateException("PostgreSQL did not stop: " + result.output);
        }
        // pg_ctl returns once postmaster.pid is gone, a moment before the process itself has exited.
        awaitExit(postmaster.get());
    }

    /**
     * kill -9 of the postmaster, as a power cut or OOM kill would do it. Returns once its children
     * have noticed and exited too, so the next {@link #start()} runs crash recovery rather than
     * finding the old shared memory still in use.
     */
    public synchronized void crash() {
        Optional<ProcessHandle> postmaster = postmaster();
        if (postmaster.isEmpty()) {
            throw new IllegalStateException("PostgreSQL is not running in " + dataDir);
        }
        List<ProcessHandle> family = new ArrayList<>(postmaster.get().descendants().toList());
        family.add(postmaster.get());
        postmaster.get().destroyForcibly();
        family.forEach(EmbeddedPostgres::awaitExit);
    }

    /** Waits for a server process to exit, killing it after ten seconds. */
    private static void awaitExit(ProcessHandle process) {
        try {
            process.onExit().get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            process.destroyForcibly();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot wait for process " + process.pid(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for process " + process.pid(), e);
        }
    }

    public synchronized void restart() {
        stop();
        start();
    }

    @Override
    public void close() {
        stop();
    }

    public synchronized boolean isRunning() {
        return postmaster().isPresent();
    }

    /** The server's port; for a builder port of 0, known once started. */
    public synchronized int port() {
        return port;
    }

    public String user() {
        return superuser;
    }

    public String database() {
        return database;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Connects as {@link #user()} without a password (trust authentication, loopback only). */
    public synchronized String jdbcUrl() {
        return jdbcUrl(database);
    }

    public synchronized String jdbcUrl(String otherDatabase) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + otherDatabase;
    }

    private void prepareDataDir() {
        account.checkCanReach(dataDir, "the PostgreSQL data dir");
        try {
            Files.createDirectories(dataDir);
            // A data dir must not be readable by others; initdb and postgres refuse otherwise.
            Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the PostgreSQL data dir " + dataDir, e);
        }
        account.own(dataDir);
    }

    private void initdb() {
        try (var entries = Files.list(dataDir)) {
            if (entries.findAny().isPresent()) {
                throw new IllegalStateException(dataDir + " is neither empty nor a PostgreSQL data dir (no PG_VERSION); "
                        + "a first start may have been interrupted: delete the directory and start again");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Tool result = run("initdb", "-D", dataDir.toString(), "-A", "trust", "-U", superuser, "-E", "UTF8",
                "--locale=C", "--no-instructions");
        if (result.exitCode != 0) {
            throw new IllegalStateException("initdb failed in " + dataDir + ": " + result.output);
        }
        try {
            Files.writeString(dataDir.resolve("postgresql.conf"),
                    "\n# Knutepunkt: settings of the embedded server, rewritten at each start\ninclude_if_exists = '"
                            + SETTINGS_FILE + "'\n",
                    StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extend postgresql.conf in " + dataDir, e);
        }
    }

    private void writeSettings() {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("port", Integer.toString(port));
        all.put("listen_addresses", "'127.0.0.1'");
        // No Unix socket: /var/run/postgresql may not exist or be writable, and TCP is all we use.
        all.put("unix_socket_directories", "''");
        all.put("fsync", "on");
        all.put("synchronous_commit", "on");
        all.put("full_page_writes", "on");
        all.put("max_connections", "100");
        // A checkpoint makes the next change of every page write the whole page to the WAL; with
        // readings arriving all the time, fewer checkpoints mean far less WAL (not less durability).
        all.put("max_wal_size", "'2GB'");
        all.put("checkpoint_timeout", "'15min'");
        all.putAll(settings);
        StringBuilder text = new StringBuilder("# Written by EmbeddedPostgres at every start; edits are lost.\n");
        all.forEach((key, value) -> text.append(key).append(" = ").append(value).append('\n'));
        Path file = dataDir.resolve(SETTINGS_FILE);
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        account.own(file);
    }

    /** A server from an earlier JVM (killed before it could stop it) holds the data dir; stop it cleanly. */
    private void stopLeftover() {
        if (postmaster().isPresent()) {
            LOG.infof("PostgreSQL left running in %s by an earlier run; stopping it before starting afresh", dataDir);
            stop();
        }
    }

    /**
     * The running postmaster of this data dir, if any. A postmaster.pid whose process is gone (or is
     * no longer postgres) is stale; PostgreSQL itself takes over such a file at start.
     */
    private Optional<ProcessHandle> postmaster() {
        Path pidFile = dataDir.resolve("postmaster.pid");
        long pid;
        try {
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            if (lines.isEmpty()) {
                return Optional.empty();
            }
            pid = Long.parseLong(lines.get(0).trim());
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(true));
    }

    private void createDatabaseIfMissing() {
        Properties credentials = new Properties();
        credentials.setProperty("user", superuser);
        // The driver class directly: DriverManager's service lookup depends on the class loader we run in.
        try (Connection admin = new org.postgresql.Driver().connect(jdbcUrl("postgres"), credentials)) {
            try (PreparedStatement exists = admin.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                exists.setString(1, database);
                try (ResultSet rs = exists.executeQuery()) {
                    if (rs.next()) {
                        return;
                    }
                }
            }
            try (Statement create = admin.createStatement()) {
                // An identifier cannot be a bound parameter; the builder admits only [a-z_][a-z0-9_]*.
                create.execute("CREATE DATABASE " + database);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + database + " at " + jdbcUrl("postgres"), e);
        }
    }

    /** {@link LoginRoles}, created on every start if missing, so a data dir made by an older hub gets them too. */
    private void createLoginRolesIfMissing() {
        if (loginRoles.isEmpty()) {
            return;
        }
        Properties credentials = new Properties();
        credentials.setProperty("user", superuser);
        try (Connection admin = new org.postgresql.Driver().connect(jdbcUrl(), credentials)) {
            for (String role : loginRoles) {
                LoginRoles.ensure(admin, role);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the login roles " + loginRoles + " at " + jdbcUrl(), e);
        }
    }

    private Path logFile() {
        return dataDir.resolve("postgres.log");
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private record Tool(int exitCode, String output) {
    }

    private Tool run(String program, String... args) {
        if (binaries == null) {
            binaries = PostgresBinaries.install();
        }
        List<String> command = new ArrayList<>();
        command.add(binaries.resolve("bin").resolve(program).toString());
        command.addAll(List.of(args));
        Path output = null;
        try {
            // Output goes to a file, not a pipe: the server pg_ctl starts must hold nothing of ours.
            output = Files.createTempFile("knutepunkt-" + program, ".out");
            Process process = new ProcessBuilder(account.command(command))
                    .directory(dataDir.getParent().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
            if (!process.waitFor(TOOL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(program + " did not finish within " + TOOL_TIMEOUT);
            }
            return new Tool(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + program, e);
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException e) {
                    LOG.debugf(e, "cannot delete %s", output);
                }
            }
        }
    }

    /** Options of one embedded server. */
    public static final class Builder {
        private final Path dataDir;
        private int port;
        private String database = "knutepunkt";
        private String superuser = "knutepunkt";
        private final List<String> loginRoles = new ArrayList<>();
        private final Map<String, String> settings = new LinkedHashMap<>();

        private Builder(Path dataDir) {
            this.dataDir = dataDir;
        }

        /** 0 picks a free port at the first start. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port);
            }
            this.port = port;
            return this;
        }

        public Builder database(String database) {
            this.database = identifier(database);
            return this;
        }

        public Builder superuser(String superuser) {
            this.superuser = identifier(superuser);
            return this;
        }

        /** A postgresql.conf setting, written as given: quote string values yourself ({@code "'C'"}). */
        /** A login role (no superuser, owns nothing) to create at start if missing; see {@link #createLoginRolesIfMissing}. */
        public Builder loginRole(String role) {
            loginRoles.add(identifier(role));
            return this;
        }

        public Builder setting(String name, String value) {
            settings.put(name, value);
            return this;
        }

        public EmbeddedPostgres build() {
            return new EmbeddedPostgres(this);
        }

        private static String identifier(String name) {
            if (!IDENTIFIER.matcher(name).matches()) {
                throw new IllegalArgumentException("not a plain lower-case SQL identifier: " + name);
            }
            return name;
        }
    }
}
