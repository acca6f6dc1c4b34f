package no.knutepunkt.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * With TimescaleDB loaded, the same migrations make the time series hypertables. Runs where such a
 * server is given (TEST_TIMESCALE_URL: a JDBC URL whose user may create databases; the server must
 * preload timescaledb). The machines this project is built on have none, so CI skips it.
 */
@EnabledIfEnvironmentVariable(named = "TEST_TIMESCALE_URL", matches = ".+")
class TimescaleHypertableTest {

    @Test
    void theSameMigrationsMakeHypertables() throws Exception {
        String admin = System.getenv("TEST_TIMESCALE_URL");
        String user = System.getenv().getOrDefault("TEST_TIMESCALE_USER", "postgres");
        String password = System.getenv().getOrDefault("TEST_TIMESCALE_PASSWORD", "");
        String database = "knutepunkt_ts_" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection c = DriverManager.getConnection(admin, user, password); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
        String url = admin.replaceAll("/[^/?]*(\\?.*)?$", "/" + database);
        Flyway.configure().dataSource(url, user, password).load().migrate();
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            List<String> hypertables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT hypertable_name FROM timescaledb_information.hypertables ORDER BY 1")) {
                while (rs.next()) {
                    hypertables.add(rs.getString(1));
                }
            }
            assertThat(hypertables).containsExactly("inbound_message", "measurement");
            assertThat(s.executeUpdate("INSERT INTO measurement (time, patient_id, device_id, loinc, value, unit, observation_id) "
                    + "VALUES (now(), gen_random_uuid(), 1, '8867-4', 71, '/min', gen_random_uuid())")).isEqualTo(1);
        }
    }
}
