package no.knutepunkt.access;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import no.knutepunkt.audit.AuditEntry.Purpose;
import no.knutepunkt.audit.AuditLog;

/**
 * The access policy with a switch, for the access-cost benchmark only ({@code bench/AccessCostBenchmark}):
 * {@link Mode#FULL} is the policy as it is; {@link Mode#CHECK_ONLY} decides as the policy does but
 * audits nothing; {@link Mode#OFF} grants every read without asking the care relations and audits
 * nothing — the hub as it would be without the policy. It exists in test code only and is enabled
 * only by that benchmark's test profile; the packaged hub has no way to switch its policy off.
 */
@Alternative
@Singleton
public class SwitchablePolicy extends AccessPolicy {

    public enum Mode {
        FULL, CHECK_ONLY, OFF
    }

    /** Read by request threads; set by the benchmark between rounds. */
    public static volatile Mode mode = Mode.FULL;

    @Inject
    SwitchablePolicy(CareRelations relations, StepActivation steps, AuditLog audit) {
        super(relations, steps, audit);
    }

    @Override
    public Granted decide(Caller caller, UUID patientId, DataKind kind, Request request, String action, String resourceType) {
        return mode == Mode.OFF ? new Granted(caller, patientId, Purpose.TREATMENT, null)
                : super.decide(caller, patientId, kind, request, action, resourceType);
    }

    @Override
    public void record(Granted g, Request request, String action, String resourceType, List<String> resourceIds) {
        if (mode == Mode.FULL) {
            super.record(g, request, action, resourceType, resourceIds);
        }
    }

    @Override
    public List<Granted> grantedForList(Caller caller, List<UUID> patientIds) {
        return mode == Mode.OFF ? patientIds.stream().map(p -> new Granted(caller, p, Purpose.TREATMENT, null)).toList()
                : super.grantedForList(caller, patientIds);
    }

    @Override
    public Visible visiblePatients(Caller caller) {
        return mode == Mode.OFF ? Visible.ALL : super.visiblePatients(caller);
    }
}
