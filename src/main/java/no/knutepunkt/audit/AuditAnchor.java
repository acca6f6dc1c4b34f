package no.knutepunkt.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;

/**
 * Writes the audit chain's head (seq and hash) to the application log now and then and at shutdown.
 * The chain shows any row changed or removed in its middle; rows cut off its end leave it whole.
 * A head noted outside the database — this log line, shipped to the log store — lets the verify
 * operation ({@code anchorSeq}, {@code anchorHash}) tell that too.
 */
@ApplicationScoped
class AuditAnchor {

    private static final Logger LOG = Logger.getLogger(AuditAnchor.class);

    private final DataSource db;

    AuditAnchor(DataSource db) {
        this.db = db;
    }

    @Scheduled(every = "${knutepunkt.audit.anchor-every:PT1H}", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void log() {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1");
                ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
                LOG.infof("audit log head: seq %d hash %s", rs.getLong(1), HexFormat.of().formatHex(rs.getBytes(2)));
            }
        } catch (SQLException e) {
            LOG.warnf("could not read the audit log's head (SQL state %s)", e.getSQLState());
        }
    }

    void atShutdown(@Observes ShutdownEvent stop) {
        log();
    }
}
