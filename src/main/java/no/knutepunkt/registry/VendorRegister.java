package no.knutepunkt.registry;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

/** Registering device vendors, each with the format its messages are read by. {@link Vendors} serves the ingest lookups. */
@ApplicationScoped
public class VendorRegister {

    /** As in the MQTT topic (device-contract.md). */
    static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private static final String COLUMNS = "id, name, format, organisation_id, oauth_client_id";

    /** @param oauthClientId the OAuth client its HTTPS intake authenticates with (client credentials), or null */
    record NewVendor(String id, String name, String format, UUID organisationId, String oauthClientId) {
    }

    public record RegisteredVendor(String id, String name, String format, UUID organisationId, String oauthClientId) {
    }

    private final VendorFormats formats;
    private final Organisations organisations;
    private final Vendors vendors;

    VendorRegister(VendorFormats formats, Organisations organisations, Vendors vendors) {
        this.formats = formats;
        this.organisations = organisations;
        this.vendors = vendors;
    }

    /** Checks what needs no database; throws the {@link Problem} the client gets. */
    void check(NewVendor v) {
        Fields.required("id", v.id());
        if (!ID.matcher(v.id()).matches()) {
            throw Problem.malformed("id", "a vendor id is 1 to 64 of A-Z a-z 0-9 . _ -");
        }
        Fields.text("name", v.name(), 200);
        Fields.optionalText("oauthClientId", v.oauthClientId(), 200);
        Fields.required("format", v.format());
        if (!formats.isLoaded(v.format())) {
            List<String> known = formats.loaded();
            throw Problem.invalid("format", "no vendor mapping reads this format; known formats: " + String.join(", ", known), known);
        }
    }

    RegisteredVendor create(Connection c, NewVendor v) throws SQLException {
        check(v);
        if (v.organisationId() != null) {
            organisations.require(c, v.organisationId(), "organisationId");
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO vendor (id, name, format, organisation_id, oauth_client_id) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, v.id());
            ps.setString(2, v.name().strip());
            ps.setString(3, v.format());
            ps.setObject(4, v.organisationId());
            ps.setString(5, Fields.blankToNull(v.oauthClientId()));
            ps.executeUpdate();
        }
        vendors.forget(v.id());
        return new RegisteredVendor(v.id(), v.name().strip(), v.format(), v.organisationId(), Fields.blankToNull(v.oauthClientId()));
    }

    /** Sets (or, with null, removes) the OAuth client of the vendor's HTTPS intake. */
    RegisteredVendor setClient(Connection c, String id, String oauthClientId) throws SQLException {
        Fields.optionalText("oauthClientId", oauthClientId, 200);
        try (PreparedStatement ps = c.prepareStatement("UPDATE vendor SET oauth_client_id = ? WHERE id = ?")) {
            ps.setString(1, Fields.blankToNull(oauthClientId));
            ps.setString(2, id);
            if (ps.executeUpdate() == 0) {
                throw Problem.notFound("no such vendor");
            }
        }
        return find(c, id).orElseThrow();
    }

    Optional<RegisteredVendor> find(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM vendor WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    List<RegisteredVendor> list(Connection c) throws SQLException {
        List<RegisteredVendor> all = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM vendor ORDER BY id");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                all.add(read(rs));
            }
        }
        return all;
    }

    private static RegisteredVendor read(ResultSet rs) throws SQLException {
        return new RegisteredVendor(rs.getString(1), rs.getString(2), rs.getString(3), rs.getObject(4, UUID.class), rs.getString(5));
    }
}
