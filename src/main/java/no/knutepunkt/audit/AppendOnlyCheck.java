package no.knutepunkt.audit;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.StartupEvent;

/**
 * Refuses to start when the hub's database role could change the audit log: a superuser, the
 * table's owner, or a role granted UPDATE, DELETE or TRUNCATE on it. The log is only append-only
 * if the role that writes it cannot do otherwise (security.md).
 */
@ApplicationScoped
public class AppendOnlyCheck {

    void check(@Observes StartupEvent start, DataSource db) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("""
                        SELECT current_user, r.rolsuper, pg_get_userbyid(t.relowner) = current_user,
                               has_table_privilege('audit_event', 'UPDATE'), has_table_privilege('audit_event', 'DELETE'),
                               has_table_privilege('audit_event', 'TRUNCATE')
                          FROM pg_roles r, pg_class t
                         WHERE r.rolname = current_user AND t.oid = 'audit_event'::regclass""")) {
            rs.next();
            String role = rs.getString(1);
            if (rs.getBoolean(2) || rs.getBoolean(3) || rs.getBoolean(4) || rs.getBoolean(5) || rs.getBoolean(6)) {
                throw new IllegalStateException("the hub connects to PostgreSQL as '" + role + "', which could change or delete the audit "
                        + "log (superuser, owner, or UPDATE/DELETE/TRUNCATE granted); connect as a role of its own (DB_USER) and migrate "
                        + "as the owner (DB_OWNER_USER): README, Operate");
            }
        }
    }
}
