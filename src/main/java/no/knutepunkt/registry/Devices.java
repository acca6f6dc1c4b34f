package no.knutepunkt.registry;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import no.knutepunkt.common.Kind;

/** Devices, gateways included: a vendor's serial, what it measures, and for a glucose meter what its HI and LO mean. */
@ApplicationScoped
class Devices {

    private static final String COLUMNS = "id, fhir_id, vendor_id, serial, model, kinds, gateway, glucose_high, glucose_low";

    private static final List<String> KINDS = Arrays.stream(Kind.values()).map(Kind::wireName).toList();

    /** glucoseHigh / glucoseLow in mmol/L; absent means the registry's default meter range. */
    record NewDevice(String vendorId, String serial, String model, List<String> kinds, Boolean gateway,
            BigDecimal glucoseHigh, BigDecimal glucoseLow) {
    }

    /** {@code id} is what assignments refer to; {@code fhirId} is the FHIR Device's logical id. */
    record Device(long id, UUID fhirId, String vendorId, String serial, String model, List<String> kinds, boolean gateway,
            BigDecimal glucoseHigh, BigDecimal glucoseLow) {

        DeviceRouting.DeviceKey key() {
            return new DeviceRouting.DeviceKey(vendorId, serial);
        }
    }

    private final VendorRegister vendors;

    Devices(VendorRegister vendors) {
        this.vendors = vendors;
    }

    /** Checks what needs no database; throws the {@link Problem} the client gets. */
    static void check(NewDevice d) {
        Fields.required("vendorId", d.vendorId());
        Fields.text("serial", d.serial(), 200);
        if (!d.serial().equals(d.serial().strip())) {
            throw Problem.malformed("serial", "serial has leading or trailing spaces");
        }
        Fields.optionalText("model", d.model(), 200);
        if (d.kinds() != null) {
            for (String kind : d.kinds()) {
                Fields.oneOf("kinds", kind, KINDS);
            }
        }
        if (d.glucoseHigh() != null && d.glucoseHigh().signum() <= 0) {
            throw Problem.invalid("glucoseHigh", "glucoseHigh must be positive (mmol/L)");
        }
        if (d.glucoseLow() != null && d.glucoseLow().signum() <= 0) {
            throw Problem.invalid("glucoseLow", "glucoseLow must be positive (mmol/L)");
        }
    }

    Device create(Connection c, NewDevice d) throws SQLException {
        check(d);
        if (vendors.find(c, d.vendorId()).isEmpty()) {
            throw Problem.invalid("vendorId", "no vendor with this id is registered");
        }
        List<String> kinds = d.kinds() == null ? List.of() : List.copyOf(new LinkedHashSet<>(d.kinds()));
        long id;
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO device (fhir_id, vendor_id, serial, model, kinds, gateway) VALUES (?, ?, ?, ?, ?, ?) RETURNING id")) {
            ps.setObject(1, UUID.randomUUID());
            ps.setString(2, d.vendorId());
            ps.setString(3, d.serial());
            ps.setString(4, Fields.blankToNull(d.model()));
            ps.setArray(5, c.createArrayOf("text", kinds.toArray()));
            ps.setBoolean(6, Boolean.TRUE.equals(d.gateway()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
        }
        // The meter range defaults live in the schema; only what was given overrides them.
        if (d.glucoseHigh() != null || d.glucoseLow() != null) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE device SET glucose_high = COALESCE(?, glucose_high), "
                    + "glucose_low = COALESCE(?, glucose_low) WHERE id = ?")) {
                ps.setBigDecimal(1, d.glucoseHigh());
                ps.setBigDecimal(2, d.glucoseLow());
                ps.setLong(3, id);
                ps.executeUpdate();
            }
        }
        Device created = find(c, id).orElseThrow();
        if (created.glucoseLow().compareTo(created.glucoseHigh()) >= 0) {
            throw Problem.invalid(d.glucoseLow() != null ? "glucoseLow" : "glucoseHigh", "glucoseLow must be below glucoseHigh");
        }
        return created;
    }

    Optional<Device> find(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM device WHERE id = ?")) {
            ps.setLong(1, id);
            return one(ps);
        }
    }

    Optional<Device> find(Connection c, String vendorId, String serial) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM device WHERE vendor_id = ? AND serial = ?")) {
            ps.setString(1, vendorId);
            ps.setString(2, serial);
            return one(ps);
        }
    }

    /** All devices, or one vendor's. */
    List<Device> list(Connection c, String vendorId) throws SQLException {
        List<Device> all = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM device WHERE ?::text IS NULL OR vendor_id = ? ORDER BY vendor_id, serial")) {
            ps.setString(1, vendorId);
            ps.setString(2, vendorId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    all.add(read(rs));
                }
            }
        }
        return all;
    }

    private static Optional<Device> one(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(read(rs)) : Optional.empty();
        }
    }

    private static Device read(ResultSet rs) throws SQLException {
        Array kinds = rs.getArray(6);
        return new Device(rs.getLong(1), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4), rs.getString(5),
                List.of((String[]) kinds.getArray()), rs.getBoolean(7), rs.getBigDecimal(8), rs.getBigDecimal(9));
    }
}
