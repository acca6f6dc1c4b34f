package no.knutepunkt.registry;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * One transaction per registry write, and the translation of what the database refused into a
 * {@link Problem}. The database's own messages are never passed on, not even as a cause: for a
 * unique or check violation PostgreSQL quotes the row's values, and a patient row holds a
 * fødselsnummer.
 */
@ApplicationScoped
public class Transactions {

    private static final Logger LOG = Logger.getLogger(Transactions.class);

    /** Unique constraints (SQLState 23505): what the client is told. */
    private static final Map<String, Problem> DUPLICATES = Map.of(
            "organisation_org_number_key", Problem.conflict("orgNumber", "an organisation with this organisation number is registered"),
            "patient_identifier_key", Problem.conflict("identifier", "a patient with this fødselsnummer or D-nummer is registered"),
            "vendor_pkey", Problem.conflict("id", "a vendor with this id is registered"),
            "device_vendor_id_serial_key", Problem.conflict("serial", "this vendor has a device with this serial registered"),
            "enrollment_care_team_pkey", Problem.conflict("careTeam", "an organisation is in the care team twice"),
            "vendor_oauth_client_id_key", Problem.conflict("oauthClientId", "another vendor has this OAuth client"));

    private final DataSource db;

    Transactions(DataSource db) {
        this.db = db;
    }

    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs the work in one transaction: committed if it returns, rolled back if it throws. */
    public <T> T write(Work<T> work) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollback(c);
                throw e;
            }
        } catch (SQLException e) {
            throw problem(e);
        }
    }

    /** Runs a read; each statement sees committed data. */
    public <T> T read(Work<T> work) {
        try (Connection c = db.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw problem(e);
        }
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            // The connection is returned to the pool either way; Agroal discards a broken one.
            LOG.warnf("registry rollback failed (SQLState %s)", e.getSQLState());
        }
    }

    static RuntimeException problem(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        ServerErrorMessage server = e instanceof PSQLException p ? p.getServerErrorMessage() : null;
        String constraint = server == null ? null : server.getConstraint();
        switch (state) {
        case "23505":
            if (constraint != null && DUPLICATES.containsKey(constraint)) {
                return DUPLICATES.get(constraint);
            }
            return Problem.conflict(null, "this is registered already");
        case "23P01":
            if ("enrollment_pause_no_overlap".equals(constraint)) {
                return Problem.conflict("from", "the pause would overlap another pause of this enrollment");
            }
            return Problem.conflict("validFrom", "the device is assigned in an overlapping period already");
        case "23503":
            return Problem.invalid(null, "refers to something that is not registered");
        case "23514":
            return Problem.invalid(null, "not accepted by the registry's rules (" + constraint + ")");
        default:
            String where = server == null ? "" : " table " + server.getTable() + ", constraint " + server.getConstraint();
            LOG.errorf("registry database error: SQLState %s%s", state, where);
            return new IllegalStateException("registry database error (SQLState " + state + ")");
        }
    }
}
