package no.knutepunkt.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.config.ConfigProvider;

import no.knutepunkt.common.Kind;
import no.knutepunkt.common.ObservationKind;
import no.knutepunkt.common.Reading;
import no.knutepunkt.common.Value;
import no.knutepunkt.fhir.ObservationWriter;
import no.knutepunkt.registry.DeviceRouting;

/**
 * Registers organisations, patients, devices and assignments for a test, straight in the database;
 * and what onboarding records besides (care teams, consents, pauses, blocks), and stored readings.
 */
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

    public void careTeam(UUID enrollment, UUID organisation, String role) throws SQLException {
        update("INSERT INTO enrollment_care_team (enrollment_id, organisation_id, role) VALUES (?, ?, ?)", enrollment, organisation, role);
    }

    public void endEnrollment(UUID enrollment, OffsetDateTime at) throws SQLException {
        update("UPDATE enrollment SET ended_at = ? WHERE id = ?", at, enrollment);
    }

    /** A consent given by the patient ({@code representative} null) or by a representative of that name. */
    public UUID consent(UUID enrollment, UUID patient, String scope, String representative, OffsetDateTime givenAt, String documentReference)
            throws SQLException {
        UUID id = UUID.randomUUID();
        update("""
                INSERT INTO consent (id, enrollment_id, patient_id, scope, given_by, representative_name, form, given_at, document_reference,
                                     recorded_at, recorded_by)
                VALUES (?, ?, ?, ?, ?, ?, 'written', ?, ?, now(), 'test')""",
                id, enrollment, patient, scope, representative == null ? "patient" : "representative", representative, givenAt,
                documentReference);
        return id;
    }

    public void withdrawConsent(UUID consent, OffsetDateTime at) throws SQLException {
        update("UPDATE consent SET withdrawn_at = ? WHERE id = ?", at, consent);
    }

    /** A pause of follow-up; {@code to} null while it lasts. */
    public UUID pause(UUID enrollment, OffsetDateTime from, OffsetDateTime to) throws SQLException {
        UUID id = UUID.randomUUID();
        update("""
                INSERT INTO enrollment_pause (id, enrollment_id, paused_from, paused_to, reason, created_at, created_by)
                VALUES (?, ?, ?, ?, 'hospital-admission', now(), 'test')""", id, enrollment, from, to);
        return id;
    }

    /** The patient blocks a clinician by HPR number (sperring). */
    public void block(UUID patient, String hprNumber) throws SQLException {
        update("""
                INSERT INTO patient_block (id, patient_id, hpr_number, created_at, created_by, created_by_role)
                VALUES (?, ?, ?, now(), 'test', 'patient')""", UUID.randomUUID(), patient, hprNumber);
    }

    /**
     * A stored heart-rate reading of the patient, with its Observation as ingest writes it and its
     * count (the vendor and device must be registered). Returns the Observation's id.
     */
    public UUID pulse(String vendorId, long deviceId, String serial, UUID enrollment, DeviceRouting.Subject subject, int perMinute,
            OffsetDateTime at) throws SQLException {
        UUID id = UUID.randomUUID();
        Reading r = new Reading("pulse-" + id + "#pulse", ObservationKind.HEART_RATE,
                List.of(Value.exact(Kind.PULSE, BigDecimal.valueOf(perMinute))), serial, null, at, null, false);
        update("""
                INSERT INTO reading (id, vendor_id, identifier, device_serial, loinc, effective, content_key, kind, state, received_at,
                                     inbound_message_id, device_id, patient_id, enrollment_id, observation)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'stored', ?, ?, ?, ?, ?, ?)""",
                id, vendorId, r.key(), serial, r.kind().primaryLoinc(), at, r.contentKey(), r.kind().key(), at.plusSeconds(2),
                UUID.randomUUID(), deviceId, subject.patientId(), enrollment,
                new ObservationWriter().write(id, vendorId, r, subject, null, at.plusSeconds(2), false));
        // Counted as ingest counts it, so that the counts still reconcile with the rows.
        update("INSERT INTO reading_tally_delta (vendor_id, received, stored, duplicate, parked, dead_lettered) VALUES (?, 1, 1, 0, 0, 0)",
                vendorId);
        return id;
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
