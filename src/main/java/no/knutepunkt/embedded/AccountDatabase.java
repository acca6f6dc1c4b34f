package no.knutepunkt.embedded;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import no.knutepunkt.registry.VendorLogin;

/**
 * Where the embedded broker looks vendors' logins up: the hub's own PostgreSQL, over plain JDBC,
 * because the broker runs before (and beside) Quarkus and its datasource. One connection, opened on
 * the first CONNECT (by then the hub has migrated the schema) and again after it breaks; lookups take
 * turns on it, which keeps a flood of CONNECTs from opening a flood of database connections.
 */
public final class AccountDatabase implements AutoCloseable {

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private Connection connection;

    public AccountDatabase(String jdbcUrl, String user, String password) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password == null ? "" : password;
    }

    synchronized VendorLogin find(String vendorId) throws SQLException {
        boolean reused = connection != null;
        try {
            return VendorLogin.find(connection(), vendorId);
        } catch (SQLException e) {
            close();
            if (!reused) {
                throw e;
            }
        }
        // The kept connection had broken (a database restart, say): once more on a new one.
        try {
            return VendorLogin.find(connection(), vendorId);
        } catch (SQLException e) {
            close();
            throw e;
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = DriverManager.getConnection(jdbcUrl, user, password);
        }
        return connection;
    }

    @Override
    public synchronized void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // gone either way
            }
            connection = null;
        }
    }

    /** Never the password. */
    @Override
    public String toString() {
        return jdbcUrl + " as " + user;
    }
}
