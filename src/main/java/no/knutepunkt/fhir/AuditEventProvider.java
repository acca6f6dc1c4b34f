package no.knutepunkt.fhir;

import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Patient;

import ca.uhn.fhir.rest.annotation.Count;
import ca.uhn.fhir.rest.annotation.IdParam;
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
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import no.knutepunkt.audit.AuditEntry;

/**
 * The audit log as FHIR AuditEvents: read by id, and search by {@code patient}, {@code date}
 * (when recorded), {@code outcome} (0 allowed, 4 refused), {@code agent} (the caller's token
 * subject, as the row names it, also in agent.altId) and {@code _count}, newest first, paged by
 * keyset on the log's seq (stateless links, like Observations'), so a log that only grows pages
 * exactly and cheaply however far back a client goes. Who may see what: {@link AuditEventPages}.
 */
@Singleton
public class AuditEventProvider implements IResourceProvider {

    static final String OUTCOME_SYSTEM = "http://hl7.org/fhir/audit-event-outcome";

    private final AuditEventPages pages;
    private final PatientLookup patients;
    private final FhirAccess access;
    private final FhirApiConfig config;

    @Inject
    AuditEventProvider(AuditEventPages pages, PatientLookup patients, FhirAccess access, FhirApiConfig config) {
        this.pages = pages;
        this.patients = patients;
        this.access = access;
        this.config = config;
    }

    @Override
    public Class<AuditEvent> getResourceType() {
        return AuditEvent.class;
    }

    @Read
    public AuditEvent read(@IdParam IdType id, RequestDetails request) {
        return pages.read(PatientParam.uuid(id.getIdPart()), request);
    }

    @Search
    public IBundleProvider search(
            @OptionalParam(name = AuditEvent.SP_PATIENT, targetTypes = Patient.class,
                    chainWhitelist = {OptionalParam.ALLOW_CHAIN_NOTCHAINED, PatientParam.IDENTIFIER_CHAIN}) ReferenceParam patient,
            @OptionalParam(name = AuditEvent.SP_DATE) DateRangeParam date,
            @OptionalParam(name = AuditEvent.SP_OUTCOME) TokenParam outcome,
            @OptionalParam(name = AuditEvent.SP_AGENT) ReferenceParam agent,
            @Count Integer count,
            @Sort SortSpec sort,
            RequestDetails request) {
        if (request.getParameters().containsKey(Constants.PARAM_OFFSET)) {
            throw new InvalidRequestException("_offset is not supported: follow the Bundle's next link");
        }
        if (sort != null && !(AuditEvent.SP_DATE.equals(sort.getParamName()) && sort.getOrder() == SortOrderEnum.DESC
                && sort.getChain() == null)) {
            throw new InvalidRequestException("AuditEvents come newest first (_sort=-date) only");
        }
        UUID patientId = null;
        if (patient != null) {
            patientId = PatientParam.resolve(patient, patients);
            if (patientId == null) {
                // An unknown patient is refused exactly as a forbidden one: asking tells nothing.
                throw access.policy().deny(access.caller(), null, FhirAccess.request(request), "search", AuditEventPages.AUDIT_EVENT,
                        "no-such-patient");
            }
        }
        EffectiveRange range = EffectiveRange.of(date, config.timeZone());
        int pageSize = count == null ? config.defaultPageSize() : Math.max(1, Math.min(count, config.maxPageSize()));
        AuditSearch q = new AuditSearch(patientId, range.from(), range.to(), outcome(outcome), subject(agent), pageSize);
        return pages.page(q, null, request);
    }

    /** 0 (success) is an allowed access, 4 (minor failure) a refusal; the log records no other outcome. */
    private static AuditEntry.Outcome outcome(TokenParam t) {
        if (t == null) {
            return null;
        }
        if (t.getModifier() != null || t.getSystem() != null && !t.getSystem().isBlank() && !OUTCOME_SYSTEM.equals(t.getSystem())) {
            throw new InvalidRequestException("outcome takes a code of " + OUTCOME_SYSTEM + ", without modifier");
        }
        return switch (t.getValue() == null ? "" : t.getValue()) {
            case "0" -> AuditEntry.Outcome.ALLOWED;
            case "4" -> AuditEntry.Outcome.DENIED;
            default -> throw new InvalidRequestException("outcome is 0 (allowed) or 4 (refused) in this log");
        };
    }

    /** The agent as the log names callers: their token's subject (a bare value, or the id of a typed reference). */
    private static String subject(ReferenceParam agent) {
        if (agent == null) {
            return null;
        }
        if (agent.getChain() != null && !agent.getChain().isEmpty()) {
            throw new InvalidRequestException("agent takes the caller's subject, without a chain");
        }
        String v = agent.getResourceType() == null ? agent.getValue() : agent.getIdPart();
        if (v == null || v.isBlank()) {
            throw new InvalidRequestException("agent needs a value");
        }
        return v;
    }
}
