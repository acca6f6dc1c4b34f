package no.knutepunkt.fhir;

import java.sql.SQLException;

import org.jboss.logging.Logger;

import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;

/**
 * A database failure behind a FHIR request. The client gets a plain 500; the log gets the SQL state
 * but never the driver's message, which can quote the values of the query (patient numbers).
 */
final class FhirApiFailure {

    private static final Logger LOG = Logger.getLogger(FhirApiFailure.class);

    private FhirApiFailure() {
    }

    static InternalErrorException of(String what, SQLException e) {
        LOG.errorf("%s failed: SQL state %s, error code %d", what, e.getSQLState(), e.getErrorCode());
        return new InternalErrorException(what + " failed");
    }
}
