package no.knutepunkt.fhir;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;

import ca.uhn.fhir.rest.annotation.Count;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Sort;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.SortOrderEnum;
import ca.uhn.fhir.rest.api.SortSpec;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.SimpleBundleProvider;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import no.knutepunkt.access.AccessPolicy;
import no.knutepunkt.access.DataKind;
import no.knutepunkt.common.Kind;
import no.knutepunkt.common.ObservationKind;

/**
 * Observation read, search and {@code $lastn}, answered from the stored Observations. A search
 * must name a patient or an Observation identifier: anything wider would scan every reading.
 */
@Singleton
public class ObservationProvider implements IResourceProvider {

    private static final String IDENTIFIER_CHAIN = PatientParam.IDENTIFIER_CHAIN;
    private static final String CATEGORY_SYSTEM = ObservationWriter.OBSERVATION_CATEGORY;

    private final ObservationStore store;
    private final ObservationPages pages;
    private final PatientLookup patients;
    private final FhirApiConfig config;
    private final FhirAccess access;

    @Inject
    ObservationProvider(ObservationStore store, ObservationPages pages, PatientLookup patients, FhirApiConfig config, FhirAccess access) {
        this.store = store;
        this.pages = pages;
        this.patients = patients;
        this.config = config;
        this.access = access;
    }

    @Override
    public Class<Observation> getResourceType() {
        return Observation.class;
    }

    @Read
    public Observation read(@IdParam IdType id, RequestDetails request) {
        UUID uuid = uuid(id.getIdPart());
        ObservationStore.Row row;
        try {
            row = uuid == null ? null : store.read(uuid);
        } catch (SQLException e) {
            throw FhirApiFailure.of("Observation read", e);
        }
        if (row == null) {
            throw new ResourceNotFoundException(id);
        }
        AccessPolicy.Granted g = access.decide(row.patient(), DataKind.MEASUREMENTS, request, "read", FhirAccess.OBSERVATION);
        Observation o = pages.parse(row.json());
        access.record(g, request, "read", FhirAccess.OBSERVATION, List.of(row.id().toString()));
        return o;
    }

    @Search
    public IBundleProvider search(
            @OptionalParam(name = Observation.SP_PATIENT, targetTypes = Patient.class,
                    chainWhitelist = {OptionalParam.ALLOW_CHAIN_NOTCHAINED, IDENTIFIER_CHAIN}) ReferenceParam patient,
            @OptionalParam(name = Observation.SP_SUBJECT, targetTypes = Patient.class,
                    chainWhitelist = {OptionalParam.ALLOW_CHAIN_NOTCHAINED, IDENTIFIER_CHAIN}) ReferenceParam subject,
            @OptionalParam(name = Observation.SP_IDENTIFIER) TokenParam identifier,
            @OptionalParam(name = Observation.SP_CODE) TokenOrListParam code,
            @OptionalParam(name = Observation.SP_CATEGORY) TokenOrListParam category,
            @OptionalParam(name = Observation.SP_DATE) DateRangeParam date,
            @Count Integer count,
            @Sort SortSpec sort,
            RequestDetails request) {
        // With _offset HAPI would write offset links that this keyset search ignores: a client
        // following them would get the first page for ever.
        if (request.getParameters().containsKey(Constants.PARAM_OFFSET)) {
            throw new InvalidRequestException("_offset is not supported: follow the Bundle's next link");
        }
        if (patient == null && subject == null && identifier == null) {
            throw new InvalidRequestException("an Observation search needs patient, subject or identifier");
        }
        boolean ascending = ascending(sort);
        EffectiveRange range = EffectiveRange.of(date, config.timeZone());
        UUID patientId = null;
        for (ReferenceParam ref : new ReferenceParam[] {patient, subject}) {
            if (ref != null) {
                UUID resolved = patientOf(ref);
                if (resolved == null) {
                    // An unknown patient is refused exactly as a forbidden one: asking tells nothing.
                    throw access.policy().deny(access.caller(), null, FhirAccess.request(request), "search", FhirAccess.OBSERVATION,
                            "no-such-patient");
                }
                if (patientId != null && !patientId.equals(resolved)) {
                    return nothing();
                }
                patientId = resolved;
            }
        }
        String vendor = null;
        String identifierValue = null;
        if (identifier != null) {
            requirePlainToken(identifier, Observation.SP_IDENTIFIER);
            identifierValue = identifier.getValue();
            if (identifierValue == null || identifierValue.isBlank()) {
                throw new InvalidRequestException("identifier needs a value");
            }
            if (identifier.getSystem() != null && !identifier.getSystem().isBlank()) {
                vendor = IdentifierSystems.messageVendor(identifier.getSystem());
                if (vendor == null) {
                    return nothing();
                }
            }
        }
        Set<ObservationKind> kinds = kinds(code, category);
        if (kinds.isEmpty()) {
            return nothing();
        }
        int pageSize = count == null ? config.defaultPageSize() : Math.max(1, Math.min(count, config.maxPageSize()));
        ObservationSearch q = new ObservationSearch(patientId, keys(kinds), vendor, identifierValue, range.from(), range.to(),
                ascending, pageSize);
        return access.searchPage(q, null, request);
    }

    /** The latest {@code max} Observations (default 1) of each code for one patient. */
    @Operation(name = "$lastn", idempotent = true, type = Observation.class)
    public Bundle lastn(
            @OperationParam(name = "patient", min = 1, max = 1) ReferenceParam patient,
            @OperationParam(name = "code") TokenOrListParam code,
            @OperationParam(name = "category") TokenOrListParam category,
            @OperationParam(name = "max", max = 1) IntegerType max,
            RequestDetails request) {
        if (patient == null) {
            throw new InvalidRequestException("$lastn needs patient");
        }
        int n = max == null || max.getValue() == null ? 1 : max.getValue();
        if (n < 1 || n > config.lastnMax()) {
            throw new InvalidRequestException("max must be between 1 and " + config.lastnMax());
        }
        Bundle bundle = new Bundle().setType(Bundle.BundleType.SEARCHSET);
        bundle.addLink().setRelation(Bundle.LINK_SELF).setUrl(request.getCompleteUrl());
        UUID patientId = patientOf(patient);
        if (patientId == null) {
            throw access.policy().deny(access.caller(), null, FhirAccess.request(request), "lastn", FhirAccess.OBSERVATION,
                    "no-such-patient");
        }
        AccessPolicy.Granted g = access.decide(patientId, DataKind.MEASUREMENTS, request, "lastn", FhirAccess.OBSERVATION);
        Set<ObservationKind> kinds = kinds(code, category);
        List<ObservationStore.Row> found;
        try {
            found = kinds.isEmpty() ? List.of() : store.lastn(patientId, keys(kinds), n);
        } catch (SQLException e) {
            throw FhirApiFailure.of("Observation $lastn", e);
        }
        String base = request.getFhirServerBase();
        List<String> ids = new ArrayList<>(found.size());
        for (ObservationStore.Row row : found) {
            Observation o = pages.parse(row.json());
            bundle.addEntry()
                    .setFullUrl(base + "/Observation/" + o.getIdElement().getIdPart())
                    .setResource(o)
                    .getSearch().setMode(Bundle.SearchEntryMode.MATCH);
            ids.add(row.id().toString());
        }
        bundle.setTotal(found.size());
        access.record(g, request, "lastn", FhirAccess.OBSERVATION, ids);
        return bundle;
    }

    /** The patient a reference names, or null when there is no such patient. */
    private UUID patientOf(ReferenceParam ref) {
        return PatientParam.resolve(ref, patients);
    }

    /**
     * The kinds the code and category tokens select. A component's code (systolic 8480-6 …) selects
     * the blood-pressure panel that carries it: that is what a client asking for it wants.
     */
    static Set<ObservationKind> kinds(TokenOrListParam code, TokenOrListParam category) {
        if (category != null && category.getValuesAsQueryTokens().stream().noneMatch(t -> {
            requirePlainToken(t, Observation.SP_CATEGORY);
            return "vital-signs".equals(t.getValue()) && (blank(t.getSystem()) || CATEGORY_SYSTEM.equals(t.getSystem()));
        })) {
            return EnumSet.noneOf(ObservationKind.class);
        }
        if (code == null) {
            return EnumSet.allOf(ObservationKind.class);
        }
        Set<ObservationKind> kinds = EnumSet.noneOf(ObservationKind.class);
        for (TokenParam t : code.getValuesAsQueryTokens()) {
            requirePlainToken(t, Observation.SP_CODE);
            String system = blank(t.getSystem()) ? null : t.getSystem();
            kinds.addAll(ObservationKind.byCode(system, t.getValue()));
            for (Kind k : Kind.values()) {
                if (k.isComponent() && ((system == null || ObservationKind.LOINC.equals(system)) && k.componentLoinc().code().equals(t.getValue())
                        || (system == null || ObservationKind.SNOMED.equals(system)) && k.componentSnomed().code().equals(t.getValue()))) {
                    kinds.add(k.observation());
                }
            }
        }
        return kinds;
    }

    private static List<String> keys(Set<ObservationKind> kinds) {
        List<String> keys = new ArrayList<>(kinds.size());
        kinds.forEach(k -> keys.add(k.key()));
        return keys;
    }

    private static boolean ascending(SortSpec sort) {
        if (sort == null) {
            return false;
        }
        if (!Observation.SP_DATE.equals(sort.getParamName()) || sort.getChain() != null) {
            throw new InvalidRequestException("Observations can only be sorted by date");
        }
        return sort.getOrder() != SortOrderEnum.DESC;
    }

    private static void requirePlainToken(TokenParam t, String name) {
        if (t.getModifier() != null) {
            throw new InvalidRequestException(name + ":" + t.getModifier().getValue() + " is not supported");
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static IBundleProvider nothing() {
        return new SimpleBundleProvider(List.<IBaseResource>of());
    }

    private static UUID uuid(String s) {
        return PatientParam.uuid(s);
    }
}
