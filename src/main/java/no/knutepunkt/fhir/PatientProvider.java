package no.knutepunkt.fhir;

import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Patient;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.RequiredParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;

/** Patient read, and search by national number: the registry's patients as FHIR Patients. */
@Singleton
public class PatientProvider implements IResourceProvider {

    private final PatientLookup patients;

    @Inject
    PatientProvider(PatientLookup patients) {
        this.patients = patients;
    }

    @Override
    public Class<Patient> getResourceType() {
        return Patient.class;
    }

    @Read
    public Patient read(@IdParam IdType id) {
        PatientLookup.PatientRow row;
        try {
            UUID uuid = UUID.fromString(id.getIdPart());
            row = patients.byId(uuid);
        } catch (IllegalArgumentException e) {
            row = null;
        } catch (SQLException e) {
            throw FhirApiFailure.of("Patient read", e);
        }
        if (row == null) {
            throw new ResourceNotFoundException(id);
        }
        return patient(row);
    }

    @Search
    public List<Patient> search(@RequiredParam(name = Patient.SP_IDENTIFIER) TokenParam identifier) {
        if (identifier.getModifier() != null || identifier.getValue() == null || identifier.getValue().isBlank()) {
            throw new InvalidRequestException("identifier needs system|value or a value, without modifier");
        }
        String system = identifier.getSystem() == null || identifier.getSystem().isBlank() ? null : identifier.getSystem();
        try {
            return patients.byIdentifier(system, identifier.getValue()).stream().map(PatientProvider::patient).toList();
        } catch (SQLException e) {
            throw FhirApiFailure.of("Patient search", e);
        }
    }

    private static Patient patient(PatientLookup.PatientRow row) {
        Patient p = new Patient();
        p.setId(row.id().toString());
        p.addIdentifier().setSystem(IdentifierSystems.patient(row.identifierSystem())).setValue(row.identifier());
        p.addName().setFamily(row.familyName()).addGiven(row.givenName());
        return p;
    }
}
