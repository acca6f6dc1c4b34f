package no.knutepunkt.access;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The seam for stepwise rollouts (architecture.md, "Case"): a clinician reads a patient's data
 * when an enrollment has the clinician's organisation in its care team <em>and the case's current
 * step has that organisation active</em>. Until cases and steps exist every care-team
 * organisation is active; the rollout capability replaces this bean's rule with the step's.
 */
@ApplicationScoped
public class StepActivation {

    /**
     * @param enrollments running enrollments of the patient whose care team includes the organisation
     * @return whether the organisation is active for at least one of them
     */
    public boolean active(List<UUID> enrollments, UUID organisationId) {
        return !enrollments.isEmpty();
    }
}
