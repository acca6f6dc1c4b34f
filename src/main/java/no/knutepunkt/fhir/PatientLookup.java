package no.knutepunkt.fhir;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import javax.sql.DataSource;

/** Patients of the registry, as the FHIR API finds them: by id, or by their national number. */
@Singleton
class PatientLookup {

    record PatientRow(UUID id, String identifierSystem, String identifier, String givenName, String familyName) {
    }

    private static final String COLUMNS = "SELECT id, identifier_system, identifier, given_name, family_name FROM patient";

    private final DataSource db;

    @Inject
    PatientLookup(DataSource db) {
        this.db = db;
    }

    PatientRow byId(UUID id) throws SQLException {
        List<PatientRow> rows = query(COLUMNS + " WHERE id = ?", id);
        return rows.isEmpty() ? null : rows.get(0);
    }

    /**
     * The patients with this number; the identifier system narrows it to fødselsnummer or D-nummer.
     *
     * @param system the FHIR identifier system, or null for either kind
     */
    List<PatientRow> byIdentifier(String system, String value) throws SQLException {
        if (system == null) {
            return query(COLUMNS + " WHERE identifier = ?::bpchar", value);
        }
        String kind = IdentifierSystems.registryKind(system);
        return kind == null ? List.of() : query(COLUMNS + " WHERE identifier = ?::bpchar AND identifier_system = ?", value, kind);
    }

    private List<PatientRow> query(String sql, Object... params) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            List<PatientRow> rows = new ArrayList<>(1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new PatientRow(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3).trim(), rs.getString(4),
                            rs.getString(5)));
                }
            }
            return rows;
        }
    }
}
