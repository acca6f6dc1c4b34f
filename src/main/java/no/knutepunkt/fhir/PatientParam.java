package no.knutepunkt.fhir;

import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;

/**
 * The patient a search's {@code patient} (or {@code subject}) parameter names: by id
 * ({@code patient=Patient/…} or the bare id), or by national number
 * ({@code patient.identifier=system|value}, or the {@code :identifier} modifier).
 */
final class PatientParam {

    /** The chain (and modifier) that names a patient by their number; searches whitelist it. */
    static final String IDENTIFIER_CHAIN = "identifier";

    private PatientParam() {
    }

    /** The patient's id, or null when no (single) registered patient matches. */
    static UUID resolve(ReferenceParam ref, PatientLookup patients) {
        String chain = ref.getChain();
        // patient.identifier=system|value, or the :identifier modifier that HAPI reads as a type.
        boolean byIdentifier = IDENTIFIER_CHAIN.equals(chain)
                || (chain == null || chain.isEmpty()) && IDENTIFIER_CHAIN.equals(ref.getResourceType());
        try {
            if (byIdentifier) {
                String token = ref.getValue();
                int bar = token.indexOf('|');
                String system = bar < 0 || bar == 0 ? null : token.substring(0, bar);
                String value = bar < 0 ? token : token.substring(bar + 1);
                List<PatientLookup.PatientRow> rows = patients.byIdentifier(system, value);
                return rows.size() == 1 ? rows.get(0).id() : null;
            }
            if (chain != null && !chain.isEmpty()) {
                throw new InvalidRequestException("only the identifier chain is supported on patient and subject");
            }
            if (ref.getResourceType() != null && !"Patient".equals(ref.getResourceType())) {
                return null;
            }
            return uuid(ref.getIdPart());
        } catch (SQLException e) {
            throw FhirApiFailure.of("patient lookup", e);
        }
    }

    /** The id as a UUID, or null when it is not one (and so names nothing the hub holds). */
    static UUID uuid(String s) {
        try {
            return s == null ? null : UUID.fromString(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
