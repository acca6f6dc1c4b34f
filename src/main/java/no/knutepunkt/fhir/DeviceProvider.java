package no.knutepunkt.fhir;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import javax.sql.DataSource;

import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.IdType;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import no.knutepunkt.access.Caller;
import no.knutepunkt.access.Role;

/** Device read: a registered device, identified as Observations reference it (vendor + serial). */
@Singleton
public class DeviceProvider implements IResourceProvider {

    private final DataSource db;
    private final FhirAccess access;

    @Inject
    DeviceProvider(DataSource db, FhirAccess access) {
        this.db = db;
        this.access = access;
    }

    @Override
    public Class<Device> getResourceType() {
        return Device.class;
    }

    /** A device says nothing of whom it measures; staff may read it, patients and vendor systems may not. */
    @Read
    public Device read(@IdParam IdType id, RequestDetails request) {
        Caller caller = access.caller();
        if (!(caller.is(Role.CLINICIAN) || caller.is(Role.MUNICIPALITY_ADMIN) || caller.is(Role.OPERATOR))) {
            throw access.policy().deny(caller, null, FhirAccess.request(request), "read", "Device", "not-allowed-for-role");
        }
        UUID uuid;
        try {
            uuid = UUID.fromString(id.getIdPart());
        } catch (IllegalArgumentException e) {
            throw new ResourceNotFoundException(id);
        }
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                        SELECT d.vendor_id, d.serial, d.model, v.name
                          FROM device d JOIN vendor v ON v.id = d.vendor_id
                         WHERE d.fhir_id = ?""")) {
            ps.setObject(1, uuid);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new ResourceNotFoundException(id);
                }
                Device d = new Device();
                d.setId(uuid.toString());
                d.addIdentifier().setSystem(IdentifierSystems.vendorDevice(rs.getString(1))).setValue(rs.getString(2));
                d.setManufacturer(rs.getString(4));
                if (rs.getString(3) != null) {
                    d.setModelNumber(rs.getString(3));
                }
                return d;
            }
        } catch (SQLException e) {
            throw FhirApiFailure.of("Device read", e);
        }
    }
}
