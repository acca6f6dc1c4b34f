package no.knutepunkt.registry;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

/** Municipalities, GP practices, hospitals and vendors: who follows a patient up, and who is responsible for the data. */
@ApplicationScoped
public class Organisations {

    static final Set<String> KINDS = Set.of("municipality", "gp-practice", "hospital", "vendor", "other");

    private static final String COLUMNS = "id, org_number, name, kind, her_id, resh_id";

    record NewOrganisation(String orgNumber, String name, String kind, String herId, String reshId) {
    }

    public record Organisation(UUID id, String orgNumber, String name, String kind, String herId, String reshId) {
    }

    /** Checks a new organisation; throws the {@link Problem} the client gets. */
    static void check(NewOrganisation o) {
        Fields.required("orgNumber", o.orgNumber());
        if (!OrganisationNumber.isNineDigits(o.orgNumber())) {
            throw Problem.malformed("orgNumber", "an organisation number has exactly 9 digits");
        }
        try {
            new OrganisationNumber(o.orgNumber());
        } catch (IllegalArgumentException e) {
            throw Problem.invalid("orgNumber", e.getMessage());
        }
        Fields.text("name", o.name(), 200);
        Fields.oneOf("kind", o.kind(), KINDS);
        Fields.optionalText("herId", o.herId(), 20);
        Fields.optionalText("reshId", o.reshId(), 20);
    }

    Organisation create(Connection c, NewOrganisation o) throws SQLException {
        check(o);
        UUID id = UUID.randomUUID();
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO organisation (id, org_number, name, kind, her_id, resh_id) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setObject(1, id);
            ps.setString(2, o.orgNumber());
            ps.setString(3, o.name().strip());
            ps.setString(4, o.kind());
            ps.setString(5, Fields.blankToNull(o.herId()));
            ps.setString(6, Fields.blankToNull(o.reshId()));
            ps.executeUpdate();
        }
        return new Organisation(id, o.orgNumber(), o.name().strip(), o.kind(), Fields.blankToNull(o.herId()),
                Fields.blankToNull(o.reshId()));
    }

    Optional<Organisation> find(Connection c, UUID id) throws SQLException {
        return one(c, "SELECT " + COLUMNS + " FROM organisation WHERE id = ?", id);
    }

    Optional<Organisation> findByNumber(Connection c, String orgNumber) throws SQLException {
        return one(c, "SELECT " + COLUMNS + " FROM organisation WHERE org_number = ?", orgNumber);
    }

    List<Organisation> list(Connection c) throws SQLException {
        List<Organisation> all = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM organisation ORDER BY name, org_number");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                all.add(read(rs));
            }
        }
        return all;
    }

    /** The referenced organisation, or a 422 naming the field that referred to it. */
    Organisation require(Connection c, UUID id, String field) throws SQLException {
        return find(c, id).orElseThrow(() -> Problem.invalid(field, "no organisation with this id is registered"));
    }

    private static Optional<Organisation> one(Connection c, String sql, Object key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    private static Organisation read(ResultSet rs) throws SQLException {
        return new Organisation(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getString(6));
    }
}
