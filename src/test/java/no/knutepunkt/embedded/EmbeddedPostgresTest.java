package no.knutepunkt.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedPostgresTest {

    @TempDir
    Path tmp;

    private final List<EmbeddedPostgres> started = new ArrayList<>();

    @BeforeEach
    void letNobodyIn() throws IOException {
        // As root the server runs as nobody, who must be able to enter the JUnit temp dir (700 by default).
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void stopAll() {
        started.forEach(EmbeddedPostgres::stop);
    }

    @Test
    void keepsCommittedRowsAcrossStopAndStart() throws SQLException {
        EmbeddedPostgres pg = server(tmp.resolve("postgres"));
        pg.start();
        int port = pg.port();
        assertThat(port).isPositive();
        execute(pg, "CREATE TABLE reading (id int PRIMARY KEY, value text)", "INSERT INTO reading VALUES (1, 'spo2 97')");

        pg.stop();
        assertThat(pg.isRunning()).isFalse();
        assertThat(pg.dataDir().resolve("postmaster.pid")).doesNotExist();

        pg.start();
        assertThat(pg.port()).as("a restart keeps the port picked for port 0").isEqualTo(port);
        assertThat(query(pg, "SELECT value FROM reading WHERE id = 1")).isEqualTo("spo2 97");
    }

    @Test
    void runsWithTheDurabilitySettingsTheHubChecks() throws SQLException {
        EmbeddedPostgres pg = server(tmp.resolve("postgres"));
        pg.start();
        assertThat(query(pg, "SELECT string_agg(name || '=' || setting, ',' ORDER BY name) FROM pg_settings "
                + "WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'listen_addresses', "
                + "'unix_socket_directories', 'max_connections')"))
                .isEqualTo("fsync=on,full_page_writes=on,listen_addresses=127.0.0.1,max_connections=100,"
                        + "synchronous_commit=on,unix_socket_directories=");
        assertThat(query(pg, "SELECT current_user || '@' || current_database()")).isEqualTo("knutepunkt@knutepunkt");
        assertThat(query(pg, "SHOW server_encoding")).isEqualTo("UTF8");
    }

    @Test
    void appliesExtraSettings() throws SQLException {
        EmbeddedPostgres pg = EmbeddedPostgres.builder(tmp.resolve("postgres")).port(0).database("extra")
                .setting("work_mem", "'8MB'").build();
        started.add(pg);
        pg.start();
        assertThat(query(pg, "SHOW work_mem")).isEqualTo("8MB");
    }

    @Test
    void recoversCommittedRowsAfterACrash() throws SQLException {
        EmbeddedPostgres pg = server(tmp.resolve("postgres"));
        pg.start();
        execute(pg, "CREATE TABLE reading (id int PRIMARY KEY)", "INSERT INTO reading VALUES (42)");

        pg.crash();
        assertThat(pg.isRunning()).isFalse();
        assertThat(pg.dataDir().resolve("postmaster.pid")).as("a crash leaves a stale pid file").exists();

        pg.start();
        assertThat(query(pg, "SELECT count(*) FROM reading WHERE id = 42")).isEqualTo("1");
        assertThat(log(pg)).contains("database system was interrupted");
    }

    @Test
    void stopsAServerLeftRunningByAKilledJvm() throws SQLException {
        Path dataDir = tmp.resolve("postgres");
        EmbeddedPostgres first = server(dataDir);
        first.start();
        execute(first, "CREATE TABLE reading (id int)", "INSERT INTO reading VALUES (7)");
        long leftover = postmasterPid(first);

        // A new JVM knows nothing of the first instance; the server it left is still running.
        EmbeddedPostgres second = server(dataDir);
        second.start();

        assertThat(ProcessHandle.of(leftover).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(postmasterPid(second)).isNotEqualTo(leftover);
        assertThat(query(second, "SELECT count(*) FROM reading")).isEqualTo("1");
        assertThat(log(second)).as("the leftover was shut down cleanly, not crashed").doesNotContain("was interrupted");
    }

    @Test
    void runsTheServerAsNobodyWhenTheJvmIsRoot() {
        assumeTrue(isRoot(), "only root must hand the server to nobody");
        EmbeddedPostgres pg = server(tmp.resolve("postgres"));
        pg.start();
        assertThat(ProcessHandle.of(postmasterPid(pg)).orElseThrow().info().user()).hasValue("nobody");
    }

    @Test
    void explainsADataDirNobodyCanReachWhenRoot() throws IOException {
        assumeTrue(isRoot(), "only root must hand the server to nobody");
        Path closed = Files.createDirectory(tmp.resolve("closed"));
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
        Path dataDir = closed.resolve("postgres");

        assertThat(EmbeddedPostgres.canUseDataDir(dataDir)).isFalse();
        assertThatThrownBy(() -> server(dataDir).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(closed.toString())
                .hasMessageContaining("EMBEDDED_DATA_DIR");
    }

    @Test
    void startsAnExistingDataDirQuickly() {
        EmbeddedPostgres pg = server(tmp.resolve("postgres"));
        pg.start();
        pg.stop();

        long began = System.nanoTime();
        pg.start();
        long millis = (System.nanoTime() - began) / 1_000_000;
        assertThat(millis).as("second start, ms").isLessThan(3000);
    }

    private EmbeddedPostgres server(Path dataDir) {
        EmbeddedPostgres pg = EmbeddedPostgres.builder(dataDir).port(0).database("knutepunkt").superuser("knutepunkt")
                .build();
        started.add(pg);
        return pg;
    }

    private static void execute(EmbeddedPostgres pg, String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), ""); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    private static String query(EmbeddedPostgres pg, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).as("a row from " + sql).isTrue();
            return rs.getString(1);
        }
    }

    private static long postmasterPid(EmbeddedPostgres pg) {
        try {
            return Long.parseLong(Files.readAllLines(pg.dataDir().resolve("postmaster.pid")).get(0).trim());
        } catch (IOException e) {
            throw new AssertionError("no postmaster.pid in " + pg.dataDir(), e);
        }
    }

    private static String log(EmbeddedPostgres pg) {
        try {
            return Files.readString(pg.dataDir().resolve("postgres.log"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean isRoot() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
