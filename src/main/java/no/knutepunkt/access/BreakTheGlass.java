package no.knutepunkt.access;

import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import no.knutepunkt.audit.AuditEntry;
import no.knutepunkt.audit.AuditEntry.Outcome;
import no.knutepunkt.audit.AuditEntry.Purpose;
import no.knutepunkt.audit.AuditLog;
import no.knutepunkt.common.Unavailable;
import no.knutepunkt.registry.Problem;
import no.knutepunkt.registry.Transactions;

/**
 * Grants emergency access (security.md): only to a clinician, only with a stated reason, never to
 * one the patient blocked, for {@link AuthConfig#emergencyAccess()}; the grant and its audit
 * record commit together, and the grant waits in the operator's review list.
 */
@ApplicationScoped
class BreakTheGlass {

    private final CareRelations relations;
    private final StepActivation steps;
    private final EmergencyAccess grants;
    private final AccessPolicy policy;
    private final AuditLog audit;
    private final Transactions tx;
    private final AuthConfig config;
    private final Clock clock;

    BreakTheGlass(CareRelations relations, StepActivation steps, EmergencyAccess grants, AccessPolicy policy, AuditLog audit,
            Transactions tx, AuthConfig config, Clock clock) {
        this.relations = relations;
        this.steps = steps;
        this.grants = grants;
        this.policy = policy;
        this.audit = audit;
        this.tx = tx;
        this.config = config;
        this.clock = clock;
    }

    EmergencyGrant request(Caller caller, UUID patientId, String reason, Request request) {
        if (!caller.is(Role.CLINICIAN)) {
            throw policy.deny(caller, patientId, request, "emergency-access", "Patient", "requires-role-" + Role.CLINICIAN.code());
        }
        String why = reason == null ? "" : reason.strip();
        if (why.length() < 10 || why.length() > 1000 || why.chars().anyMatch(ch -> Character.isISOControl(ch) && ch != '\n')) {
            throw Problem.malformed("reason", "state the reason for emergency access: 10 to 1000 characters");
        }
        CareRelations.Relation r;
        try {
            r = patientId == null ? null : relations.of(patientId, caller.hprNumber(), caller.organisation().id());
        } catch (SQLException e) {
            throw new Unavailable("emergency access: the database is not reachable", e);
        }
        if (r == null || !r.exists()) {
            throw policy.deny(caller, null, request, "emergency-access", "Patient", "no-such-patient");
        }
        if (r.blocked()) {
            throw policy.deny(caller, patientId, request, "emergency-access", "Patient", "blocked-by-patient");
        }
        // Needed is what the policy would not grant by treatment: the same rule, rollout step included.
        if (steps.active(r.careTeamEnrollments(), caller.organisation().id())) {
            throw Problem.conflict("patientId", "you follow this patient in a care team already: emergency access is not needed");
        }
        OffsetDateTime now = OffsetDateTime.now(clock).truncatedTo(ChronoUnit.MICROS);
        return tx.write(c -> {
            EmergencyGrant g = grants.grant(c, caller, patientId, why, now, now.plus(config.emergencyAccess()));
            audit.recordIn(c, List.of(new AuditEntry("emergency-access", Outcome.ALLOWED, Purpose.EMERGENCY, caller.who(), patientId,
                    "Patient", List.of(patientId.toString()), request.entryPoint(), request.sourceAddress(), why, g.id())));
            return g;
        });
    }
}
