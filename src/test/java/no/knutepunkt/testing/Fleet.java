package no.knutepunkt.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import no.knutepunkt.simulator.SimulatedDevice;

/**
 * A large fleet for load tests: a third each of canonical BP cuffs, acme-flat scales/oximeters and
 * medgw gateways with two devices behind, every device assigned to a patient of its own. Registered
 * straight in the database (thousands of devices through the API would only slow the tests).
 */
public final class Fleet {

    private Fleet() {
    }

    public static List<SimulatedDevice> of(int n) {
        List<SimulatedDevice> fleet = new ArrayList<>();
        for (int i = 0; i < n / 3; i++) {
            fleet.add(SimulatedDevice.of(SimulatedDevice.CANONICAL_VENDOR, String.format("NT-BP-%06d", i), "systolic", "diastolic", "pulse"));
            fleet.add(SimulatedDevice.of(SimulatedDevice.ACME_VENDOR, String.format("AC-%06d", i), "weight", "spo2"));
            fleet.add(new SimulatedDevice(SimulatedDevice.GATEWAY_VENDOR, String.format("GW-%06d", i), List.of(),
                    List.of(SimulatedDevice.of(SimulatedDevice.GATEWAY_VENDOR, String.format("OX-%06d", i), "spo2", "pulse"),
                            SimulatedDevice.of(SimulatedDevice.GATEWAY_VENDOR, String.format("TH-%06d", i), "temperature"))));
        }
        return fleet;
    }

    /** Registers the vendors and the fleet, each device assigned since a year ago. */
    public static void register(String jdbcUrl, String user, String password, List<SimulatedDevice> fleet) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
            c.setAutoCommit(false);
            UUID org = UUID.randomUUID();
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO organisation (id, org_number, name, kind) VALUES (?, ?, 'Lastvik kommune', 'municipality')")) {
                ps.setObject(1, org);
                ps.setString(2, TestIdentities.orgNumber());
                ps.executeUpdate();
            }
            for (String[] v : new String[][] { { SimulatedDevice.CANONICAL_VENDOR, "canonical" }, { SimulatedDevice.ACME_VENDOR, "acme-flat" },
                    { SimulatedDevice.GATEWAY_VENDOR, "medgw" } }) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO vendor (id, name, format) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
                    ps.setString(1, v[0]);
                    ps.setString(2, v[0]);
                    ps.setString(3, v[1]);
                    ps.executeUpdate();
                }
            }
            OffsetDateTime since = OffsetDateTime.now(ZoneOffset.UTC).minusDays(365);
            try (PreparedStatement patient = c.prepareStatement(
                    "INSERT INTO patient (id, identifier_system, identifier, given_name, family_name) VALUES (?, 'fnr', ?, 'Last', 'Pasient')");
                    PreparedStatement enrollment = c.prepareStatement(
                            "INSERT INTO enrollment (id, patient_id, programme, responsible_organisation_id, started_at) VALUES (?, ?, 'copd', ?, ?)");
                    PreparedStatement device = c.prepareStatement("INSERT INTO device (fhir_id, vendor_id, serial) VALUES (?, ?, ?) RETURNING id");
                    PreparedStatement assignment = c.prepareStatement(
                            "INSERT INTO device_assignment (id, enrollment_id, device_id, valid_from) VALUES (?, ?, ?, ?)")) {
                java.util.Set<String> used = new java.util.HashSet<>();
                for (SimulatedDevice d : fleet) {
                    UUID p = UUID.randomUUID();
                    String fnr;
                    do {
                        fnr = TestIdentities.syntheticFnr();
                    } while (!used.add(fnr));
                    patient.setObject(1, p);
                    patient.setString(2, fnr);
                    patient.executeUpdate();
                    UUID e = UUID.randomUUID();
                    enrollment.setObject(1, e);
                    enrollment.setObject(2, p);
                    enrollment.setObject(3, org);
                    enrollment.setObject(4, since);
                    enrollment.executeUpdate();
                    for (SimulatedDevice measuring : d.isGateway() ? d.behindGateway() : List.of(d)) {
                        device.setObject(1, UUID.randomUUID());
                        device.setString(2, measuring.vendor());
                        device.setString(3, measuring.serial());
                        long id;
                        try (var rs = device.executeQuery()) {
                            rs.next();
                            id = rs.getLong(1);
                        }
                        assignment.setObject(1, UUID.randomUUID());
                        assignment.setObject(2, e);
                        assignment.setLong(3, id);
                        assignment.setObject(4, since);
                        assignment.executeUpdate();
                    }
                }
            }
            c.commit();
        }
    }
}
