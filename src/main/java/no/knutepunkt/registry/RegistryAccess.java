package no.knutepunkt.registry;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.identity.SecurityIdentity;

import no.knutepunkt.access.AccessPolicy;
import no.knutepunkt.access.Caller;
import no.knutepunkt.access.Callers;
import no.knutepunkt.access.CurrentRequest;
import no.knutepunkt.access.DataKind;
import no.knutepunkt.access.Request;
import no.knutepunkt.access.Role;

/**
 * The registry API's side of the access policy: who may register what, and the audit record of
 * each read and write. Organisations, vendors and credentials are the operator's; patients,
 * enrollments, consents, pauses and device assignments are a municipality admin's, for the
 * enrollments its municipality is responsible for; reads of a patient's care record go through
 * the policy like any read of patient data.
 */
@ApplicationScoped
class RegistryAccess {

    private final SecurityIdentity identity;
    private final CurrentRequest request;
    private final AccessPolicy policy;

    RegistryAccess(SecurityIdentity identity, CurrentRequest request, AccessPolicy policy) {
        this.identity = identity;
        this.request = request;
        this.policy = policy;
    }

    Caller caller() {
        return Callers.of(identity);
    }

    Request request() {
        return request.get();
    }

    AccessPolicy policy() {
        return policy;
    }

    /** The caller, if it has one of these roles; otherwise refused (audited, 403). */
    Caller requireAny(String action, String resourceType, Role... roles) {
        Caller caller = caller();
        for (Role r : roles) {
            if (caller.is(r)) {
                return caller;
            }
        }
        throw policy.deny(caller, null, request(), action, resourceType, "requires-role-" + roles[0].code());
    }

    /** Onboarding work on an enrollment the caller's municipality must be responsible for. */
    AccessPolicy.Granted administer(UUID patientId, UUID responsibleOrganisation, String action, String resourceType) {
        return policy.administer(caller(), patientId, responsibleOrganisation, request(), action, resourceType);
    }

    /** A read of one patient's data under the policy's rules. */
    AccessPolicy.Granted decide(UUID patientId, DataKind kind, String action, String resourceType) {
        return policy.decide(caller(), patientId, kind, request(), action, resourceType);
    }

    void record(AccessPolicy.Granted g, String action, String resourceType, List<String> ids) {
        policy.record(g, request(), action, resourceType, ids);
    }

    void recordIn(Connection c, AccessPolicy.Granted g, String action, String resourceType, List<String> ids) throws SQLException {
        policy.recordIn(c, g, request(), action, resourceType, ids);
    }

    void recordAllIn(Connection c, List<AccessPolicy.Change> changes) throws SQLException {
        policy.recordAllIn(c, changes, request());
    }

    void recordActionIn(Connection c, Caller caller, String action, String resourceType, List<String> ids) throws SQLException {
        policy.recordActionIn(c, caller, request(), action, resourceType, ids);
    }
}
