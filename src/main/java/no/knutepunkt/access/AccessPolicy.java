package no.knutepunkt.access;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import no.knutepunkt.audit.AuditEntry;
import no.knutepunkt.audit.AuditEntry.Outcome;
import no.knutepunkt.audit.AuditEntry.Purpose;
import no.knutepunkt.audit.AuditLog;
import no.knutepunkt.common.Unavailable;

/**
 * The one access policy (security.md): every entry point that touches patient data — the FHIR
 * API, the registry API, the status page, the pages — asks it, and it writes the audit log, for
 * what it allows and for what it refuses. Its rules:
 * <ul>
 * <li>a patient who blocked a person's HPR number is refused to that person, whatever else holds;</li>
 * <li>a patient sees all of their own data (purpose own-data);</li>
 * <li>a clinician sees measurements, the patient and the care record when a running enrollment of
 * the patient has the clinician's organisation in its care team ({@link StepActivation} adds the
 * rollout step's say; purpose treatment), or under an emergency access in force (emergency);</li>
 * <li>a municipality admin sees the patient and the care record of enrollments its municipality is
 * responsible for, never measurements (admin);</li>
 * <li>operators and vendor systems see no patient data.</li>
 * </ul>
 */
@ApplicationScoped
public class AccessPolicy {

    private static final Set<DataKind> TREATMENT = EnumSet.of(DataKind.MEASUREMENTS, DataKind.DEMOGRAPHICS, DataKind.CARE_RECORD);
    private static final Set<DataKind> ADMINISTRATION = EnumSet.of(DataKind.DEMOGRAPHICS, DataKind.CARE_RECORD);

    /**
     * Access granted: to whom, for which patient, under which purpose, and which emergency access if
     * that was it. Only the policy makes one (the constructor is the package's), so no entry point
     * can record an access the policy did not decide.
     */
    public static final class Granted {
        private final Caller caller;
        private final UUID patientId;
        private final Purpose purpose;
        private final UUID emergencyAccessId;

        Granted(Caller caller, UUID patientId, Purpose purpose, UUID emergencyAccessId) {
            this.caller = caller;
            this.patientId = patientId;
            this.purpose = purpose;
            this.emergencyAccessId = emergencyAccessId;
        }

        public Caller caller() {
            return caller;
        }

        public UUID patientId() {
            return patientId;
        }

        public Purpose purpose() {
            return purpose;
        }

        public UUID emergencyAccessId() {
            return emergencyAccessId;
        }

        /**
         * A municipality admin's grant to register someone not registered yet, for the patient now
         * registered under it: the same caller and purpose, and only ever from a grant without a patient.
         */
        public Granted forNewPatient(UUID registered) {
            if (patientId != null || purpose != Purpose.ADMIN) {
                throw new IllegalStateException("only an admin's grant to register a patient names the patient afterwards");
            }
            return new Granted(caller, registered, purpose, null);
        }
    }

    private final CareRelations relations;
    private final StepActivation steps;
    private final AuditLog audit;

    AccessPolicy(CareRelations relations, StepActivation steps, AuditLog audit) {
        this.relations = relations;
        this.steps = steps;
        this.audit = audit;
    }

    /**
     * Decides whether the caller may touch this kind of this patient's data. A refusal is audited
     * here and thrown ({@link AccessDenied}, 403); a grant is audited by {@link #record} once the
     * data is in hand, with the ids it covers — or use {@link #read}, which does both.
     */
    public Granted decide(Caller caller, UUID patientId, DataKind kind, Request request, String action, String resourceType) {
        Decision d = evaluate(caller, patientId, kind);
        if (d.granted() == null) {
            throw deny(caller, patientId, request, action, resourceType, d.refusal());
        }
        return d.granted();
    }

    /**
     * Onboarding work on an enrollment: only a municipality admin of the municipality responsible
     * for it (and not a person the patient blocked). The grant is recorded with the change, in the
     * change's transaction ({@link #recordIn}).
     */
    public Granted administer(Caller caller, UUID patientId, UUID responsibleOrganisation, Request request, String action,
            String resourceType) {
        String refusal = null;
        if (!caller.is(Role.MUNICIPALITY_ADMIN)) {
            refusal = "requires-role-" + Role.MUNICIPALITY_ADMIN.code();
        } else if (!caller.organisation().id().equals(responsibleOrganisation)) {
            refusal = "not-own-municipality";
        } else if (patientId != null && caller.hprNumber() != null && relation(caller, patientId).blocked()) {
            refusal = "blocked-by-patient";
        }
        if (refusal != null) {
            throw deny(caller, patientId, request, action, resourceType, refusal);
        }
        return new Granted(caller, patientId, Purpose.ADMIN, null);
    }

    /**
     * Whether a grant covers a record kept per enrollment (an enrollment, its care team, a consent):
     * every grant does, but a municipality admin's covers only the enrollments its own municipality
     * is responsible for — the patient may be followed by another municipality too.
     */
    public boolean covers(Granted g, String responsibleOrganisationNumber) {
        return g.purpose() != Purpose.ADMIN || g.caller().organisation() != null
                && g.caller().organisation().number().equals(responsibleOrganisationNumber);
    }

    /**
     * The operator's review of a patient's audit log (AuditEvent search by patient): recorded with
     * the patient, so that the patient's own log shows that the operator looked at it too.
     */
    public void recordReview(Caller caller, UUID patientId, Request request, String action, String resourceType, List<String> ids) {
        requireRole(caller, Role.OPERATOR, request, action, resourceType);
        audit.record(new AuditEntry(action, Outcome.ALLOWED, Purpose.OPERATIONS, caller.who(), patientId, resourceType, ids,
                request.entryPoint(), request.sourceAddress(), null, null));
    }

    /** A municipality admin registering a patient not yet enrolled (its grant names the patient once registered). */
    public Granted register(Caller caller, Request request, String action, String resourceType) {
        requireRole(caller, Role.MUNICIPALITY_ADMIN, request, action, resourceType);
        return new Granted(caller, null, Purpose.ADMIN, null);
    }

    /** Records a granted change in the caller's transaction: the change and its record commit together. */
    public void recordIn(Connection c, Granted g, Request request, String action, String resourceType, List<String> resourceIds)
            throws SQLException {
        audit.recordIn(c, List.of(new AuditEntry(action, Outcome.ALLOWED, g.purpose(), g.caller().who(), g.patientId(), resourceType,
                resourceIds, request.entryPoint(), request.sourceAddress(), null, g.emergencyAccessId())));
    }

    /** A granted change, as {@link #recordAllIn} records it: one audit entry. */
    public record Change(Granted granted, String action, String resourceType, List<String> resourceIds) {
    }

    /**
     * Records granted changes in the caller's transaction, one entry each, in one append: a change
     * of many patients at once (a bulk onboarding) takes the audit chain's lock, which every audited
     * request waits for, once rather than once a patient.
     */
    public void recordAllIn(Connection c, List<Change> changes, Request request) throws SQLException {
        List<AuditEntry> entries = new ArrayList<>(changes.size());
        for (Change ch : changes) {
            Granted g = ch.granted();
            entries.add(new AuditEntry(ch.action(), Outcome.ALLOWED, g.purpose(), g.caller().who(), g.patientId(), ch.resourceType(),
                    ch.resourceIds(), request.entryPoint(), request.sourceAddress(), null, g.emergencyAccessId()));
        }
        audit.recordIn(c, entries);
    }

    /** Records an action on no patient's data in the caller's transaction. */
    public void recordActionIn(Connection c, Caller caller, Request request, String action, String resourceType, List<String> resourceIds)
            throws SQLException {
        audit.recordIn(c, List.of(new AuditEntry(action, Outcome.ALLOWED, purposeOf(caller), caller.who(), null, resourceType,
                resourceIds, request.entryPoint(), request.sourceAddress(), null, null)));
    }

    /** Records a granted access with what it returned or changed; returns once the record is committed. */
    public void record(Granted g, Request request, String action, String resourceType, List<String> resourceIds) {
        audit.record(new AuditEntry(action, Outcome.ALLOWED, g.purpose(), g.caller().who(), g.patientId(), resourceType, resourceIds,
                request.entryPoint(), request.sourceAddress(), null, g.emergencyAccessId()));
    }

    /** Decides, fetches, records, and only then hands over the data. */
    public <T> T read(Caller caller, UUID patientId, DataKind kind, Request request, String action, String resourceType,
            Supplier<T> fetch, Function<T, List<String>> ids) {
        Granted g = decide(caller, patientId, kind, request, action, resourceType);
        T data = fetch.get();
        record(g, request, action, resourceType, ids.apply(data));
        return data;
    }

    /**
     * Whether the caller may see this patient at all in a list (the clinician's patient list, the
     * status page): the same rules as {@link #decide} for {@link DataKind#MEASUREMENTS}, without
     * auditing — the list records each patient it shows.
     */
    public boolean mayList(Caller caller, UUID patientId) {
        return evaluate(caller, patientId, DataKind.MEASUREMENTS).granted() != null;
    }

    /** For lists: the condition on a patient id column that holds exactly for the patients whose measurements the caller may see. */
    public Visible visiblePatients(Caller caller) {
        if (caller.is(Role.PATIENT)) {
            return caller.patientId() == null ? Visible.NONE : new Visible("%s = ?", List.of(caller.patientId()));
        }
        if (caller.is(Role.CLINICIAN)) {
            CareRelations.Condition c = CareRelations.clinicianSees(caller.hprNumber(), caller.organisation().id());
            return new Visible(c.sql(), c.params());
        }
        return Visible.NONE;
    }

    /** The grant for each patient a list shows, by the rule of {@link #decide}; one the caller may not see is left out. */
    public List<Granted> grantedForList(Caller caller, List<UUID> patientIds) {
        List<Granted> out = new ArrayList<>(patientIds.size());
        for (UUID p : patientIds) {
            Decision d = evaluate(caller, p, DataKind.MEASUREMENTS);
            if (d.granted() != null) {
                out.add(d.granted());
            }
        }
        return out;
    }

    /**
     * The patients a caller may see the demographics and care record of in a registry list: a
     * municipality admin those of the enrollments its municipality is responsible for, otherwise
     * as {@link #visiblePatients}. Never a patient who blocked the caller's HPR number.
     */
    public Visible visibleForAdministration(Caller caller) {
        if (caller.is(Role.MUNICIPALITY_ADMIN)) {
            String blocked = caller.hprNumber() == null ? ""
                    : " AND %1$s NOT IN (SELECT b.patient_id FROM patient_block b WHERE b.hpr_number = ? AND b.lifted_at IS NULL)";
            List<Object> params = caller.hprNumber() == null ? List.of(caller.organisation().id())
                    : List.of(caller.organisation().id(), caller.hprNumber());
            return new Visible("%1$s IN (SELECT e.patient_id FROM enrollment e WHERE e.responsible_organisation_id = ?)" + blocked, params);
        }
        return visiblePatients(caller);
    }

    /**
     * The grants for patients a list shows, found by {@link #visibleForAdministration} or
     * {@link #visiblePatients}, and records them all (one audit entry per patient, naming the
     * patient as the resource) before returning.
     */
    public void recordListed(Caller caller, List<UUID> patientIds, DataKind kind, Request request, String action, String resourceType) {
        Map<UUID, List<String>> ids = new LinkedHashMap<>();
        patientIds.forEach(p -> ids.put(p, List.of(p.toString())));
        recordListed(caller, ids, kind, request, action, resourceType);
    }

    /** As {@link #recordListed(Caller, List, DataKind, Request, String, String)}, with the resource ids shown of each patient. */
    public void recordListed(Caller caller, Map<UUID, List<String>> idsByPatient, DataKind kind, Request request, String action,
            String resourceType) {
        List<AuditEntry> entries = new ArrayList<>(idsByPatient.size());
        idsByPatient.forEach((p, ids) -> {
            Granted g = caller.is(Role.MUNICIPALITY_ADMIN) && ADMINISTRATION.contains(kind) ? new Granted(caller, p, Purpose.ADMIN, null)
                    : evaluate(caller, p, kind).granted();
            if (g == null) {
                throw new IllegalStateException("a list showed a patient its caller may not see");
            }
            entries.add(new AuditEntry(action, Outcome.ALLOWED, g.purpose(), caller.who(), p, resourceType, List.copyOf(ids),
                    request.entryPoint(), request.sourceAddress(), null, g.emergencyAccessId()));
        });
        audit.recordAll(entries);
    }

    /** Refuses the caller unless it has the role; the refusal is audited. For actions on no patient's data (operators' work). */
    public void requireRole(Caller caller, Role role, Request request, String action, String resourceType) {
        if (!caller.is(role)) {
            throw deny(caller, null, request, action, resourceType, "requires-role-" + role.code());
        }
    }

    /** Records an action on no patient's data (an operator registering a vendor, say). */
    public void recordAction(Caller caller, Request request, String action, String resourceType, List<String> resourceIds) {
        audit.record(new AuditEntry(action, Outcome.ALLOWED, purposeOf(caller), caller.who(), null, resourceType, resourceIds,
                request.entryPoint(), request.sourceAddress(), null, null));
    }

    /** Audits a refusal decided elsewhere (a vendor posting under another vendor's path) and returns the exception to throw. */
    public AccessDenied deny(Caller caller, UUID patientId, Request request, String action, String resourceType, String reason) {
        audit.record(new AuditEntry(action, Outcome.DENIED, null, caller == null ? AuditEntry.Who.UNKNOWN : caller.who(), patientId,
                resourceType, List.of(), request.entryPoint(), request.sourceAddress(), reason, null));
        return new AccessDenied(reason);
    }

    /** Either a grant or the reason there is none. */
    private record Decision(Granted granted, String refusal) {
    }

    private Decision evaluate(Caller caller, UUID patientId, DataKind kind) {
        CareRelations.Relation r = relation(caller, patientId);
        if (!r.exists()) {
            return new Decision(null, "no-such-patient");
        }
        if (r.blocked()) {
            return new Decision(null, "blocked-by-patient");
        }
        if (caller.is(Role.PATIENT) && patientId.equals(caller.patientId())) {
            return new Decision(new Granted(caller, patientId, Purpose.OWN_DATA, null), null);
        }
        if (caller.is(Role.CLINICIAN) && TREATMENT.contains(kind)) {
            if (steps.active(r.careTeamEnrollments(), caller.organisation().id())) {
                return new Decision(new Granted(caller, patientId, Purpose.TREATMENT, null), null);
            }
            if (r.emergencyAccess() != null) {
                return new Decision(new Granted(caller, patientId, Purpose.EMERGENCY, r.emergencyAccess()), null);
            }
            return new Decision(null, "no-care-relation");
        }
        if (caller.is(Role.MUNICIPALITY_ADMIN) && ADMINISTRATION.contains(kind) && r.responsible()) {
            return new Decision(new Granted(caller, patientId, Purpose.ADMIN, null), null);
        }
        return new Decision(null, caller.is(Role.MUNICIPALITY_ADMIN) && ADMINISTRATION.contains(kind) ? "not-own-municipality"
                : "not-allowed-for-role");
    }

    private CareRelations.Relation relation(Caller caller, UUID patientId) {
        try {
            return relations.of(patientId, caller.hprNumber(), caller.organisation() == null ? null : caller.organisation().id());
        } catch (SQLException e) {
            throw new Unavailable("access check: the database is not reachable", e);
        }
    }

    private static Purpose purposeOf(Caller caller) {
        return caller.is(Role.OPERATOR) ? Purpose.OPERATIONS : caller.is(Role.MUNICIPALITY_ADMIN) ? Purpose.ADMIN : null;
    }

    /**
     * The patients a caller may see in a list, as a condition on a patient id column: {@code sql}
     * has {@code %s} where the column goes (possibly several times); {@code params} bind in order.
     */
    public record Visible(String sql, List<Object> params) {
        public static final Visible NONE = new Visible("false", List.of());
        /** No condition: for a list whose one patient the policy has decided already. */
        public static final Visible ALL = new Visible("(%s IS NOT NULL)", List.of());

        public String on(String column) {
            return String.format(sql, column);
        }
    }
}
