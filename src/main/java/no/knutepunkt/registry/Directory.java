package no.knutepunkt.registry;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * What the registry knows about a caller's token, looked up in one round trip for every
 * authenticated request: the organisation it names (the sub-unit when registered, else the legal
 * entity), the vendor its OAuth client belongs to, and the patient its national identity number is.
 */
@ApplicationScoped
public class Directory {

    private static final String FACTS = """
            SELECT child.id, child.org_number, child.name, child.kind,
                   parent.id, parent.org_number, parent.name, parent.kind,
                   (SELECT v.id FROM vendor v WHERE v.oauth_client_id = ?),
                   (SELECT p.id FROM patient p WHERE p.identifier = ?::bpchar)
              FROM (SELECT 1) one
              LEFT JOIN organisation child ON child.org_number = ?::bpchar
              LEFT JOIN organisation parent ON parent.org_number = ?::bpchar""";

    /** A registered organisation. */
    public record OrganisationRef(UUID id, String number, String name, String kind) {
    }

    /**
     * @param organisation the registered organisation the token names, or null
     * @param vendorId     the vendor whose OAuth client the token was issued to, or null
     * @param patientId    the registered patient with the token's national identity number, or null
     */
    public record CallerFacts(OrganisationRef organisation, String vendorId, UUID patientId) {
    }

    private final DataSource db;

    Directory(DataSource db) {
        this.db = db;
    }

    /** Any argument may be null: it then finds nothing. */
    public CallerFacts facts(String childOrganisation, String organisation, String clientId, String nationalId) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(FACTS)) {
            ps.setString(1, clientId);
            ps.setString(2, nationalId);
            ps.setString(3, childOrganisation);
            ps.setString(4, organisation);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                OrganisationRef org = rs.getObject(1) != null ? ref(rs, 1) : rs.getObject(5) != null ? ref(rs, 5) : null;
                return new CallerFacts(org, rs.getString(9), rs.getObject(10, UUID.class));
            }
        }
    }

    private static OrganisationRef ref(ResultSet rs, int from) throws SQLException {
        return new OrganisationRef(rs.getObject(from, UUID.class), rs.getString(from + 1), rs.getString(from + 2), rs.getString(from + 3));
    }
}
