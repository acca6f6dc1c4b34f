package no.knutepunkt.fhir;

import java.sql.SQLException;
import java.util.ArrayList;
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
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import no.knutepunkt.access.AccessDenied;
import no.knutepunkt.access.AccessPolicy;
import no.knutepunkt.access.DataKind;

/** Patient read, and search by national number: the registry's patients as FHIR Patients. */
@Singleton
public class PatientProvider implements IResourceProvider {

    private static final String PATIENT = "Patient";

    private final PatientLookup patients;
    private final FhirAccess access;

    @Inject
    PatientProvider(PatientLookup patients, FhirAccess access) {
        this.patients = patients;
        this.access = access;
    }

    @Override
    public Class<Patient> getResourceType() {
        return Patient.class;
    }

    /** An unknown patient and one the caller may not see are refused alike (403): asking tells nothing. */
    @Read
    public Patient read(@IdParam IdType id, RequestDetails request) {
        UUID uuid;
        try {
            uuid = UUID.fromString(id.getIdPart());
        } catch (IllegalArgumentException e) {
            throw access.policy().deny(access.caller(), null, FhirAccess.request(request), "read", PATIENT, "no-such-patient");
        }
        AccessPolicy.Granted g = access.decide(uuid, DataKind.DEMOGRAPHICS, request, "read", PATIENT);
        PatientLookup.PatientRow row;
        try {
            row = patients.byId(uuid);
        } catch (SQLException e) {
            throw FhirApiFailure.of("Patient read", e);
        }
        access.record(g, request, "read", PATIENT, List.of(uuid.toString()));
        return patient(row);
    }

    /** Only the patients the caller may see; one it may not is left out (and its refusal audited), so the answer is the same as for no match. */
    @Search
    public List<Patient> search(@RequiredParam(name = Patient.SP_IDENTIFIER) TokenParam identifier, RequestDetails request) {
        if (identifier.getModifier() != null || identifier.getValue() == null || identifier.getValue().isBlank()) {
            throw new InvalidRequestException("identifier needs system|value or a value, without modifier");
        }
        String system = identifier.getSystem() == null || identifier.getSystem().isBlank() ? null : identifier.getSystem();
        List<PatientLookup.PatientRow> found;
        try {
            found = patients.byIdentifier(system, identifier.getValue());
        } catch (SQLException e) {
            throw FhirApiFailure.of("Patient search", e);
        }
        List<Patient> shown = new ArrayList<>();
        for (PatientLookup.PatientRow row : found) {
            try {
                AccessPolicy.Granted g = access.decide(row.id(), DataKind.DEMOGRAPHICS, request, "search", PATIENT);
                access.record(g, request, "search", PATIENT, List.of(row.id().toString()));
                shown.add(patient(row));
            } catch (AccessDenied refused) {
                // Audited by the policy; not shown.
            }
        }
        return shown;
    }

    static Patient patient(PatientLookup.PatientRow row) {
        Patient p = new Patient();
        p.setId(row.id().toString());
        p.addIdentifier().setSystem(IdentifierSystems.patient(row.identifierSystem())).setValue(row.identifier());
        p.addName().setFamily(row.familyName()).addGiven(row.givenName());
        return p;
    }
}
