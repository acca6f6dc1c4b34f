package no.knutepunkt.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import no.knutepunkt.testing.HubTestResource;

/** Values written in the binary COPY format come back from PostgreSQL exactly. */
class BinaryCopyTest {

    private static Connection db;

    @BeforeAll
    static void connect() throws Exception {
        Map<String, String> config = new HubTestResource().start();
        db = DriverManager.getConnection(config.get("quarkus.datasource.jdbc.url"), config.get("quarkus.datasource.username"),
                config.get("quarkus.datasource.password"));
    }

    @AfterAll
    static void close() throws Exception {
        db.close();
    }

    @Test
    void numericsKeepValueAndScale() throws Exception {
        List<String> values = List.of("0", "0.0", "132", "80.0", "80.1", "5.6", "0.3", "1234567.891", "10000", "100000000", "0.0001",
                "0.00001", "-5.5", "33.3", "99999999999999999999.123456", "-0.000123", "7.50062");
        try (Statement s = db.createStatement()) {
            s.execute("CREATE TEMP TABLE n (i bigint, v numeric)");
        }
        BinaryCopy copy = new BinaryCopy(2);
        for (int i = 0; i < values.size(); i++) {
            copy.row().int8((long) i).numeric(new BigDecimal(values.get(i)));
        }
        assertThat(copy.copyInto(db, "n")).isEqualTo(values.size());
        List<String> back = new ArrayList<>();
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT v::text FROM n ORDER BY i")) {
            while (rs.next()) {
                back.add(rs.getString(1));
            }
        }
        assertThat(back).isEqualTo(values);
    }

    @Test
    void timestampsUuidsTextBytesAndNulls() throws Exception {
        try (Statement s = db.createStatement()) {
            s.execute("CREATE TEMP TABLE t (at timestamptz, id uuid, label text, raw bytea, missing text)");
        }
        OffsetDateTime at = OffsetDateTime.parse("2026-11-22T08:15:00.123456+01:00");
        OffsetDateTime old = OffsetDateTime.parse("1999-12-31T23:59:59.5Z");
        UUID id = UUID.randomUUID();
        BinaryCopy copy = new BinaryCopy(5);
        copy.row().timestamptz(at).uuid(id).text("Blodtrykk «æøå» \"quoted\" \\ tab\t").bytes(new byte[] { 0, (byte) 0xFF, '{' }).text(null);
        copy.row().timestamptz(old).uuid(null).text("").bytes(new byte[0]).text(null);
        copy.copyInto(db, "t");
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT at, id, label, raw, missing FROM t ORDER BY at DESC")) {
            rs.next();
            assertThat(rs.getObject(1, OffsetDateTime.class).toInstant()).isEqualTo(at.toInstant());
            assertThat(rs.getObject(2, UUID.class)).isEqualTo(id);
            assertThat(rs.getString(3)).isEqualTo("Blodtrykk «æøå» \"quoted\" \\ tab\t");
            assertThat(rs.getBytes(4)).containsExactly(0, 0xFF, '{');
            assertThat(rs.getString(5)).isNull();
            rs.next();
            assertThat(rs.getObject(1, OffsetDateTime.class).toInstant()).isEqualTo(old.toInstant());
            assertThat(rs.getObject(2, UUID.class)).isNull();
            assertThat(rs.getString(3)).isEmpty();
            assertThat(rs.getBytes(4)).isEmpty();
        }
    }
}
