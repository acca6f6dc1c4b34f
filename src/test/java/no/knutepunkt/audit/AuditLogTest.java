package no.knutepunkt.audit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.Tokens;

/**
 * The audit log is append-only for the hub's database role, and its hash chain finds what the
 * schema's owner (who can get past both) changed, inserted or removed through SQL. Tampering
 * happens as the owner with the table's triggers off, as someone with the owner's password would
 * do it; every test puts the rows back as they were, so the chain is whole again afterwards.
 */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
class AuditLogTest {

    /** The chain's append lock (AuditChain): held while the end of the log is tampered with, so no append interleaves. */
    private static final String CHAIN_LOCK = "SELECT pg_advisory_lock(x'6b6e6175'::int, 1)";
    private static final String CHAIN_UNLOCK = "SELECT pg_advisory_unlock(x'6b6e6175'::int, 1)";

    @Inject
    AuditLog log;

    @Inject
    AuditVerification verification;

    @Inject
    DataSource db;

    @BeforeEach
    void someRows() {
        List<AuditEntry> entries = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            entries.add(new AuditEntry("read", AuditEntry.Outcome.ALLOWED, AuditEntry.Purpose.TREATMENT,
                    new AuditEntry.Who("audit-log-test", "Test Kliniker", "9100099", "111111111", "clinician", "knutepunkt-web", "test"),
                    UUID.randomUUID(), "Observation", List.of(UUID.randomUUID().toString()), "GET /fhir/Observation", "127.0.0.1", null,
                    null));
        }
        log.recordAll(entries);
    }

    static Connection asHub() throws SQLException {
        return DriverManager.getConnection(HubTestResource.jdbcUrl(), HubTestResource.dbUser(), HubTestResource.dbPassword());
    }

    static Connection asOwner() throws SQLException {
        return DriverManager.getConnection(HubTestResource.jdbcUrl(), HubTestResource.dbOwner(), HubTestResource.dbOwnerPassword());
    }

    static long head(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT max(seq) FROM audit_event")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Appenders in their own transactions (as changes record themselves) and through the writer (as
     * reads do), all at once, as several hub instances would: one chain, no seq twice, no gap.
     */
    @Test
    void concurrentAppendersMakeOneUnbrokenChain() throws Exception {
        long before;
        try (Connection c = asHub()) {
            before = head(c);
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                boolean inOwnTransaction = t % 2 == 0;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        AuditEntry e = new AuditEntry("read", AuditEntry.Outcome.ALLOWED, AuditEntry.Purpose.TREATMENT,
                                new AuditEntry.Who("audit-log-test", null, null, null, "clinician", null, null), UUID.randomUUID(),
                                "Observation", List.of(), "GET /fhir/Observation", null, null, null);
                        if (inOwnTransaction) {
                            try (Connection c = db.getConnection()) {
                                c.setAutoCommit(false);
                                log.recordIn(c, List.of(e, e));
                                c.commit();
                            }
                        } else {
                            log.record(e);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        AuditVerification.Result r = verification.verify(null, null);
        assertThat(r.intact()).as("%s", r.breaks()).isTrue();
        assertThat(r.headSeq() - before).isGreaterThanOrEqualTo(4 * 25 * 2 + 4 * 25);
    }

    @Test
    void theHubsRoleCanOnlyAppendAndRead() throws SQLException {
        try (Connection c = asHub(); Statement s = c.createStatement()) {
            long head = head(c);
            for (String sql : List.of("UPDATE audit_event SET reason = 'changed' WHERE seq = " + head,
                    "DELETE FROM audit_event WHERE seq = " + head, "TRUNCATE audit_event")) {
                assertThatThrownBy(() -> s.execute(sql)).as(sql).isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"))
                        .hasMessageContaining("permission denied");
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM audit_event WHERE seq = " + head)) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(1);
            }
        }
    }

    @Test
    void evenTheOwnerIsStoppedByTheTriggerUnlessTheyTurnItOff() throws SQLException {
        try (Connection c = asOwner(); Statement s = c.createStatement()) {
            long head = head(c);
            assertThatThrownBy(() -> s.execute("UPDATE audit_event SET reason = 'changed' WHERE seq = " + head))
                    .hasMessageContaining("audit_event is append-only (UPDATE)");
            assertThatThrownBy(() -> s.execute("DELETE FROM audit_event WHERE seq = " + head))
                    .hasMessageContaining("audit_event is append-only (DELETE)");
            assertThatThrownBy(() -> s.execute("TRUNCATE audit_event CASCADE")).hasMessageContaining("audit_event is append-only (TRUNCATE)");
        }
        assertThat(verification.verify(null, null).intact()).isTrue();
    }

    @Test
    void theHubRefusesToStartAsARoleThatCouldChangeTheLog() throws SQLException {
        String hubRole = HubTestResource.dbUser();
        try (Connection owner = asOwner(); Statement s = owner.createStatement()) {
            s.execute("GRANT UPDATE ON audit_event TO " + hubRole);
            try {
                assertThatThrownBy(() -> new AppendOnlyCheck().check(null, db))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("could change or delete the audit log");
            } finally {
                s.execute("REVOKE UPDATE ON audit_event FROM " + hubRole);
            }
        }
    }

    @Test
    void aChangedRowIsFoundWhereItIs() throws SQLException {
        try (Connection c = asOwner()) {
            long seq = head(c) - 2;
            List<Object[]> saved = copy(c, seq, seq);
            tamper(c, "UPDATE audit_event SET hpr_number = '9199999' WHERE seq = ?", seq);
            try {
                // Through the operator's API, as an operator would find it.
                JsonPath result = given().auth().oauth2(Tokens.operator()).get("/api/access/review/audit-verification").then()
                        .statusCode(200).extract().jsonPath();
                assertThat(result.getBoolean("intact")).isFalse();
                assertThat(result.getList("breaks.seq", Long.class)).containsExactly(seq);
                assertThat(result.getString("breaks[0].problem")).isEqualTo("its fields do not give its hash: the row was changed");
            } finally {
                put(c, saved);
            }
            assertThat(copy(c, seq, seq).get(0)[8]).isEqualTo(saved.get(0)[8]);
        }
        assertThat(verification.verify(null, null).intact()).isTrue();
    }

    @Test
    void aRowChangedWithItsHashRecomputedBreaksTheNextLink() throws SQLException {
        try (Connection c = asOwner()) {
            long seq = head(c) - 3;
            List<Object[]> saved = copy(c, seq, seq);
            // A forger who recomputes the row's own hash still leaves the next row naming the old one.
            AuditChain.Row forged = withResourceIds(c, seq, List.of("forged"));
            byte[] prev = bytes(c, "SELECT prev_hash FROM audit_event WHERE seq = ?", seq);
            tamper(c, "DELETE FROM audit_event WHERE seq = ?", seq);
            insertForged(c, forged, prev, AuditChain.hash(prev, forged));
            try {
                AuditVerification.Result r = verification.verify(null, null);
                assertThat(r.intact()).isFalse();
                assertThat(r.breaks()).extracting(AuditVerification.Break::seq).containsExactly(seq + 1);
                assertThat(r.breaks()).extracting(AuditVerification.Break::problem).containsExactly("does not name the previous row's hash");
            } finally {
                put(c, saved);
            }
        }
        assertThat(verification.verify(null, null).intact()).isTrue();
    }

    @Test
    void aRemovedRowLeavesAGap() throws SQLException {
        try (Connection c = asOwner()) {
            long seq = head(c) - 2;
            List<Object[]> saved = copy(c, seq, seq);
            tamper(c, "DELETE FROM audit_event WHERE seq = ?", seq);
            try {
                AuditVerification.Result r = verification.verify(null, null);
                assertThat(r.intact()).isFalse();
                assertThat(r.breaks()).extracting(AuditVerification.Break::problem)
                        .contains("rows " + seq + " are missing", "does not name the previous row's hash");
            } finally {
                reinsert(c, saved);
            }
        }
        assertThat(verification.verify(null, null).intact()).isTrue();
    }

    @Test
    void anInsertedRowIsFound() throws SQLException {
        try (Connection c = asOwner(); Statement lock = c.createStatement()) {
            lock.execute(CHAIN_LOCK);
            try {
                long head = head(c);
                long at = head - 1;
                // Make room after row `at` by moving the last row up one, then put a forged row in its place,
                // correctly linked to its predecessor and with a hash computed the way the hub computes it.
                List<Object[]> moved = copy(c, head, head);
                tamper(c, "DELETE FROM audit_event WHERE seq = ?", head);
                Object[] last = moved.get(0).clone();
                last[0] = head + 1;
                reinsert(c, List.<Object[]>of(last));
                byte[] prev = bytes(c, "SELECT hash FROM audit_event WHERE seq = ?", at);
                AuditEntry forged = new AuditEntry("read", AuditEntry.Outcome.ALLOWED, AuditEntry.Purpose.TREATMENT,
                        new AuditEntry.Who("someone", "Noen Annen", "9100098", "111111111", "clinician", null, null), null, "Observation",
                        List.of(), "GET /fhir/Observation", null, null, null);
                AuditChain.Row row = new AuditChain.Row(head, UUID.randomUUID(), java.time.Instant.now().truncatedTo(
                        java.time.temporal.ChronoUnit.MICROS), forged);
                insertForged(c, row, prev, AuditChain.hash(prev, row));
                try {
                    AuditVerification.Result r = verification.verify(null, null);
                    assertThat(r.intact()).isFalse();
                    // The forged row fits behind its predecessor; the row after it no longer fits behind it.
                    // (It was moved, so its own hash, over its seq, no longer fits it either.)
                    assertThat(r.breaks()).extracting(AuditVerification.Break::seq).containsOnly(head + 1);
                    assertThat(r.breaks()).extracting(AuditVerification.Break::problem).contains("does not name the previous row's hash");
                } finally {
                    tamper(c, "DELETE FROM audit_event WHERE seq >= ?", head);
                    reinsert(c, moved);
                }
            } finally {
                lock.execute(CHAIN_UNLOCK);
            }
        }
        assertThat(verification.verify(null, null).intact()).isTrue();
    }

    @Test
    void rowsCutOffTheEndAreFoundAgainstAnAnchor() throws SQLException {
        try (Connection c = asOwner(); Statement lock = c.createStatement()) {
            lock.execute(CHAIN_LOCK);
            try {
                long head = head(c);
                String anchorHash = HexFormat.of().formatHex(bytes(c, "SELECT hash FROM audit_event WHERE seq = ?", head));
                AuditVerification.Result before = verification.verify(head, anchorHash);
                assertThat(before.intact()).isTrue();
                assertThat(before.headSeq()).isEqualTo(head);
                assertThat(before.headHash()).isEqualTo(anchorHash);

                List<Object[]> cut = copy(c, head - 1, head);
                tamper(c, "DELETE FROM audit_event WHERE seq >= ?", head - 1);
                try {
                    // Without the anchor the shorter chain is whole: that is what the anchor is for.
                    assertThat(verification.verify(null, null).intact()).isTrue();
                    AuditVerification.Result r = verification.verify(head, anchorHash);
                    assertThat(r.intact()).isFalse();
                    assertThat(r.breaks()).extracting(AuditVerification.Break::problem)
                            .containsExactly("the anchor's row is gone: rows were removed from the end of the log");
                    assertThat(verification.verify(head - 2, "00".repeat(32)).breaks()).extracting(AuditVerification.Break::problem)
                            .containsExactly("differs from the anchor noted for it");
                } finally {
                    reinsert(c, cut);
                }
                assertThat(verification.verify(head, anchorHash).intact()).isTrue();
            } finally {
                lock.execute(CHAIN_UNLOCK);
            }
        }
    }

    // --- tampering as the owner: triggers off for the one statement, on again at once ---

    private static void tamper(Connection c, String sql, long seq) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("ALTER TABLE audit_event DISABLE TRIGGER USER");
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, seq);
                ps.executeUpdate();
            } finally {
                s.execute("ALTER TABLE audit_event ENABLE TRIGGER USER");
            }
        }
    }

    /** Puts saved rows back as they were: each deleted (triggers off) and inserted again. */
    private static void put(Connection c, List<Object[]> rows) throws SQLException {
        for (Object[] row : rows) {
            tamper(c, "DELETE FROM audit_event WHERE seq = ?", (Long) row[0]);
        }
        reinsert(c, rows);
    }

    private static final String COLUMNS = "seq, id, recorded_at, action, outcome, purpose, subject, person_name, hpr_number, "
            + "organisation_number, role, client_id, issuer, patient_id, resource_type, resource_ids, entry_point, source_address, "
            + "reason, emergency_access_id, prev_hash, hash";

    private static List<Object[]> copy(Connection c, long from, long to) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM audit_event WHERE seq BETWEEN ? AND ? ORDER BY seq")) {
            ps.setLong(1, from);
            ps.setLong(2, to);
            try (ResultSet rs = ps.executeQuery()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    Object[] row = new Object[n];
                    for (int i = 0; i < n; i++) {
                        row[i] = rs.getObject(i + 1);
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    private static void reinsert(Connection c, List<Object[]> rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_event (" + COLUMNS + ") VALUES ("
                + "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (Object[] row : rows) {
                for (int i = 0; i < row.length; i++) {
                    ps.setObject(i + 1, row[i]);
                }
                ps.executeUpdate();
            }
        }
    }

    private static void insertForged(Connection c, AuditChain.Row row, byte[] prev, byte[] hash) throws SQLException {
        AuditEntry e = row.e();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_event (" + COLUMNS + ") VALUES ("
                + "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            int i = 1;
            ps.setLong(i++, row.seq());
            ps.setObject(i++, row.id());
            ps.setObject(i++, java.time.OffsetDateTime.ofInstant(row.recordedAt(), java.time.ZoneOffset.UTC));
            ps.setString(i++, e.action());
            ps.setString(i++, e.outcome().code());
            ps.setString(i++, e.purpose().code());
            ps.setString(i++, e.who().subject());
            ps.setString(i++, e.who().name());
            ps.setString(i++, e.who().hprNumber());
            ps.setString(i++, e.who().organisationNumber());
            ps.setString(i++, e.who().role());
            ps.setString(i++, e.who().clientId());
            ps.setString(i++, e.who().issuer());
            ps.setObject(i++, e.patientId());
            ps.setString(i++, e.resourceType());
            ps.setArray(i++, c.createArrayOf("text", e.resourceIds().toArray()));
            ps.setString(i++, e.entryPoint());
            ps.setString(i++, e.sourceAddress());
            ps.setString(i++, e.reason());
            ps.setObject(i++, e.emergencyAccessId());
            ps.setBytes(i++, prev);
            ps.setBytes(i, hash);
            ps.executeUpdate();
        }
    }

    /** The stored row as the chain hashes it, with other resource ids. */
    private static AuditChain.Row withResourceIds(Connection c, long seq, List<String> ids) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM audit_event WHERE seq = ?")) {
            ps.setLong(1, seq);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                AuditChain.Row row = AuditVerification.row(rs);
                AuditEntry e = row.e();
                return new AuditChain.Row(row.seq(), row.id(), row.recordedAt(), new AuditEntry(e.action(), e.outcome(), e.purpose(),
                        e.who(), e.patientId(), e.resourceType(), ids, e.entryPoint(), e.sourceAddress(), e.reason(), e.emergencyAccessId()));
            }
        }
    }

    private static byte[] bytes(Connection c, String sql, long seq) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, seq);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBytes(1);
            }
        }
    }
}
