package no.knutepunkt.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;

/**
 * Keeps month partitions ready ahead of time on plain PostgreSQL (TimescaleDB makes its own
 * chunks), so readings land in their month rather than in the default partition.
 */
@ApplicationScoped
public class PartitionMaintenance {

    private static final Logger LOG = Logger.getLogger(PartitionMaintenance.class);
    private static final String[][] TABLES = { { "measurement", "time" }, { "inbound_message", "received_at" } };

    private final DataSource db;

    public PartitionMaintenance(DataSource db) {
        this.db = db;
    }

    @Scheduled(every = "12h", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void ensureAhead() throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb')")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return;
                }
            }
            try (PreparedStatement ensure = c.prepareStatement("SELECT knutepunkt_ensure_month_partitions(?::regclass, ?, "
                    + "(date_trunc('month', now() AT TIME ZONE 'UTC') - interval '1 month')::date, 4)")) {
                for (String[] t : TABLES) {
                    ensure.setString(1, t[0]);
                    ensure.setString(2, t[1]);
                    try (ResultSet rs = ensure.executeQuery()) {
                        rs.next();
                        if (rs.getInt(1) > 0) {
                            LOG.infof("created %d month partitions of %s", rs.getInt(1), t[0]);
                        }
                    }
                }
            }
        }
    }
}
