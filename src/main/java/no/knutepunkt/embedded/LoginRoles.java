package no.knutepunkt.embedded;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Pattern;

/**
 * The PostgreSQL role the hub connects as: a plain login role that owns nothing and is no
 * superuser, so that what the migrations do not grant it (changing the audit log, say) it cannot
 * do. The embedded server creates it; so do the tests on a server of their own. A deployment
 * creates it once (README, Operate).
 */
public final class LoginRoles {

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private LoginRoles() {
    }

    /** Creates the role if it does not exist, connected as a user allowed to create roles. */
    public static void ensure(Connection admin, String role) throws SQLException {
        if (!IDENTIFIER.matcher(role).matches()) {
            throw new IllegalArgumentException("not a plain PostgreSQL identifier: " + role);
        }
        try (PreparedStatement exists = admin.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            exists.setString(1, role);
            try (ResultSet rs = exists.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
        }
        try (Statement create = admin.createStatement()) {
            // An identifier cannot be a bound parameter; checked against IDENTIFIER above.
            create.execute("CREATE ROLE " + role + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT");
        } catch (SQLException e) {
            // Two servers of one test run, or two hubs, may race to create it.
            if (!"42710".equals(e.getSQLState())) {
                throw e;
            }
        }
    }
}
