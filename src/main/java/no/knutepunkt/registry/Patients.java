package no.knutepunkt.registry;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

/** Patients, stored once, identified by fødselsnummer or D-nummer. The number is never logged nor echoed in an error. */
@ApplicationScoped
public class Patients {

    private static final String COLUMNS = "id, identifier_system, identifier, given_name, family_name";

    public record NewPatient(String identifier, String givenName, String familyName) {
    }

    /** {@code system} is "fnr" or "dnr", derived from the number. */
    public record Patient(UUID id, String system, String identifier, String givenName, String familyName) {
    }

    private final IdentityConfig identity;

    Patients(IdentityConfig identity) {
        this.identity = identity;
    }

    /** Checks a new patient and parses its number; throws the {@link Problem} the client gets. */
    NationalId check(NewPatient p) {
        NationalId id = nationalId(p.identifier());
        Fields.text("givenName", p.givenName(), 200);
        Fields.text("familyName", p.familyName(), 200);
        return id;
    }

    /** The number, checked as this hub is configured (synthetic numbers or not); a {@link Problem} on field "identifier" if not valid. */
    NationalId nationalId(String identifier) {
        Fields.required("identifier", identifier);
        try {
            return NationalId.parse(identifier, identity.syntheticAllowed());
        } catch (InvalidNationalIdException e) {
            if (e.reason() == InvalidNationalIdException.Reason.NOT_ELEVEN_DIGITS) {
                throw Problem.malformed("identifier", e.getMessage());
            }
            throw Problem.invalid("identifier", e.getMessage());
        }
    }

    Patient create(Connection c, NewPatient p) throws SQLException {
        NationalId nationalId = check(p);
        UUID id = UUID.randomUUID();
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO patient (id, identifier_system, identifier, given_name, family_name) VALUES (?, ?, ?, ?, ?)")) {
            ps.setObject(1, id);
            ps.setString(2, nationalId.system());
            ps.setString(3, nationalId.value());
            ps.setString(4, p.givenName().strip());
            ps.setString(5, p.familyName().strip());
            ps.executeUpdate();
        }
        return new Patient(id, nationalId.system(), nationalId.value(), p.givenName().strip(), p.familyName().strip());
    }

    /** A patient found by number with the same names ({@code created} false), or newly registered. */
    record Registered(Patient patient, boolean created) {
    }

    /**
     * Registers the patient unless one with this number is registered already: then it is that
     * patient if the names are the same (a second onboarding of a person followed elsewhere, or an
     * upload repeated), and a conflict if they differ — the registry never renames someone silently.
     */
    Registered findOrCreate(Connection c, NewPatient p) throws SQLException {
        Optional<Patient> found = findSame(c, p);
        return found.isPresent() ? new Registered(found.get(), false) : new Registered(create(c, p), true);
    }

    /**
     * The registered patient with this number and these names, or empty when the number is not
     * registered; a conflict when it is, under other names. Bulk onboarding asks this before it
     * writes anything, {@link #findOrCreate} when it writes.
     */
    Optional<Patient> findSame(Connection c, NewPatient p) throws SQLException {
        NationalId nationalId = check(p);
        Optional<Patient> found = findByIdentifier(c, nationalId);
        if (found.isPresent()) {
            Patient existing = found.get();
            if (existing.givenName().equals(p.givenName().strip()) && existing.familyName().equals(p.familyName().strip())) {
                return found;
            }
            throw Problem.conflict("identifier", "a patient with this fødselsnummer or D-nummer is registered under another name");
        }
        return Optional.empty();
    }

    /** The patients a condition on their id holds for (an access policy's list), in name order. */
    List<Patient> list(Connection c, String condition, List<Object> params) throws SQLException {
        List<Patient> all = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM patient WHERE " + condition
                + " ORDER BY family_name, given_name, id")) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    all.add(read(rs));
                }
            }
        }
        return all;
    }

    Optional<Patient> find(Connection c, UUID id) throws SQLException {
        return one(c, "SELECT " + COLUMNS + " FROM patient WHERE id = ?", id);
    }

    Optional<Patient> findByIdentifier(Connection c, NationalId nationalId) throws SQLException {
        return one(c, "SELECT " + COLUMNS + " FROM patient WHERE identifier = ?", nationalId.value());
    }

    List<Patient> list(Connection c) throws SQLException {
        List<Patient> all = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM patient ORDER BY family_name, given_name, id");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                all.add(read(rs));
            }
        }
        return all;
    }

    private static Optional<Patient> one(Connection c, String sql, Object key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    private static Patient read(ResultSet rs) throws SQLException {
        return new Patient(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5));
    }
}
