package no.knutepunkt.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.UUID;

import org.eclipse.microprofile.config.ConfigProvider;

/** Registers organisations, patients, devices and assignments for a test, straight in the database. */
public final class Registry implements AutoCloseable {

    private final Connection c;

    public Registry() throws SQLException {
        var config = ConfigProvider.getConfig();
        c = DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class),
                config.getOptionalValue("quarkus.datasource.password", String.class).orElse(""));
    }

    public Connection connection() {
        return c;
    }

    public UUID organisation(String orgNumber, String name, String kind) throws SQLException {
        UUID id = UUID.randomUUID();
        update("INSERT INTO organisation (id, org_number, name, kind) VALUES (?, ?, ?, ?) ON CONFLICT (org_number) DO NOTHING",
                id, orgNumber, name, kind);
        return query("SELECT id FROM organisation WHERE org_number = ?", orgNumber);
    }

    public void vendor(String id, String format) throws SQLException {
        update("INSERT INTO vendor (id, name, format) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING", id, id, format);
    }

    public long device(String vendorId, String serial) throws SQLException {
        update("INSERT INTO device (fhir_id, vendor_id, serial) VALUES (?, ?, ?) ON CONFLICT (vendor_id, serial) DO NOTHING",
                UUID.randomUUID(), vendorId, serial);
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM device WHERE vendor_id = ? AND serial = ?")) {
            ps.setString(1, vendorId);
            ps.setString(2, serial);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    public UUID patient(String fnr, String given, String family) throws SQLException {
        UUID id = UUID.randomUUID();
        update("INSERT INTO patient (id, identifier_system, identifier, given_name, family_name) VALUES (?, ?, ?, ?, ?)",
                id, Integer.parseInt(fnr.substring(0, 1)) >= 4 ? "dnr" : "fnr", fnr, given, family);
        return id;
    }

    public UUID enrollment(UUID patient, UUID responsibleOrganisation, OffsetDateTime start) throws SQLException {
        UUID id = UUID.randomUUID();
        update("INSERT INTO enrollment (id, patient_id, programme, responsible_organisation_id, started_at) VALUES (?, ?, 'copd', ?, ?)",
                id, patient, responsibleOrganisation, start);
        return id;
    }

    public void assign(UUID enrollment, long device, OffsetDateTime from, OffsetDateTime to) throws SQLException {
        update("INSERT INTO device_assignment (id, enrollment_id, device_id, valid_from, valid_to) VALUES (?, ?, ?, ?, ?)",
                UUID.randomUUID(), enrollment, device, from, to);
    }

    public long count(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    public String text(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private UUID query(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getObject(1, UUID.class);
            }
        }
    }

    private void update(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            ps.executeUpdate();
        }
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
    }

    @Override
    public void close() throws SQLException {
        c.close();
    }
}
