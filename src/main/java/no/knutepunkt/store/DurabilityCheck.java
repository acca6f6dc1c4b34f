package no.knutepunkt.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.StartupEvent;

/**
 * Refuses to start against a PostgreSQL that may lose committed transactions (security.md): the
 * hub acknowledges messages after commit, which means nothing if a commit is not durable.
 */
@ApplicationScoped
public class DurabilityCheck {

    private static final Set<String> DURABLE_COMMITS = Set.of("on", "remote_write", "remote_apply", "local");

    void check(@Observes StartupEvent start, DataSource db) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            String fsync = show(s, "fsync");
            String commit = show(s, "synchronous_commit");
            if (!"on".equals(fsync) || !DURABLE_COMMITS.contains(commit)) {
                throw new IllegalStateException("PostgreSQL runs with fsync=" + fsync + ", synchronous_commit=" + commit
                        + "; the hub acknowledges messages after commit and needs both on");
            }
        }
    }

    private static String show(Statement s, String setting) throws SQLException {
        try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
