package no.knutepunkt.access;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

import io.quarkus.security.identity.SecurityIdentity;

import no.knutepunkt.registry.Problem;
import no.knutepunkt.registry.Transactions;

/**
 * Blocks (sperring), made by the patient ({@link BlockResource}) or by a municipality admin on the
 * patient's behalf ({@link PatientBlockResource}, for patients of its own municipality's
 * enrollments): who may, and the change audited with the patient in its transaction.
 */
@ApplicationScoped
class Blocking {

    private static final String TYPE = "block";

    private final Transactions tx;
    private final PatientBlocks blocks;
    private final AccessPolicy policy;
    private final SecurityIdentity identity;
    private final CurrentRequest request;
    private final Clock clock;

    Blocking(Transactions tx, PatientBlocks blocks, AccessPolicy policy, SecurityIdentity identity, CurrentRequest request,
            Clock clock) {
        this.tx = tx;
        this.blocks = blocks;
        this.policy = policy;
        this.identity = identity;
        this.request = request;
        this.clock = clock;
    }

    List<PatientBlock> list(AccessPolicy.Granted g) {
        List<PatientBlock> found = tx.read(c -> blocks.of(c, g.patientId()));
        policy.record(g, request.get(), "read", TYPE, found.stream().map(b -> b.id().toString()).toList());
        return found;
    }

    Response block(AccessPolicy.Granted g, BlockResource.NewBlock body) {
        if (body == null || body.hprNumber() == null || !body.hprNumber().strip().matches("[0-9]{1,9}")) {
            throw Problem.malformed("hprNumber", "hprNumber must be the clinician's HPR number: 1 to 9 digits");
        }
        String note = body.note() == null || body.note().isBlank() ? null : body.note().strip();
        if (note != null && (note.length() > 500 || note.chars().anyMatch(Character::isISOControl))) {
            throw Problem.malformed("note", "note is at most 500 characters, without control characters");
        }
        Caller caller = g.caller();
        PatientBlock b = tx.write(c -> {
            PatientBlock made = blocks.block(c, g.patientId(), body.hprNumber().strip(), note, by(caller), caller.roleCodes(),
                    OffsetDateTime.now(clock));
            policy.recordIn(c, g, request.get(), "block", TYPE, List.of(made.id().toString()));
            return made;
        });
        return Response.status(201).entity(b).build();
    }

    Response lift(AccessPolicy.Granted g, String blockId) {
        UUID id;
        try {
            id = UUID.fromString(blockId);
        } catch (IllegalArgumentException e) {
            throw Problem.notFound("no such block in force");
        }
        boolean lifted = tx.write(c -> {
            boolean done = blocks.lift(c, g.patientId(), id, by(g.caller()), OffsetDateTime.now(clock));
            if (done) {
                policy.recordIn(c, g, request.get(), "unblock", TYPE, List.of(id.toString()));
            }
            return done;
        });
        if (!lifted) {
            throw Problem.notFound("no such block in force");
        }
        return Response.noContent().build();
    }

    /** The patient's own data; a citizen who is not registered has nothing to block. */
    AccessPolicy.Granted own() {
        Caller caller = Callers.of(identity);
        if (!caller.is(Role.PATIENT) || caller.patientId() == null) {
            throw policy.deny(caller, null, request.get(), "read", TYPE, caller.is(Role.PATIENT) ? "no-such-patient" : "not-a-patient");
        }
        return policy.decide(caller, caller.patientId(), DataKind.CARE_RECORD, request.get(), "read", TYPE);
    }

    /** An admin of a municipality responsible for one of the patient's enrollments. */
    AccessPolicy.Granted administered(String patientId) {
        Caller caller = Callers.of(identity);
        UUID id;
        try {
            id = UUID.fromString(patientId);
        } catch (IllegalArgumentException e) {
            throw policy.deny(caller, null, request.get(), "read", TYPE, "no-such-patient");
        }
        if (!caller.is(Role.MUNICIPALITY_ADMIN)) {
            throw policy.deny(caller, id, request.get(), "read", TYPE, "requires-role-" + Role.MUNICIPALITY_ADMIN.code());
        }
        return policy.decide(caller, id, DataKind.CARE_RECORD, request.get(), "read", TYPE);
    }

    private static String by(Caller caller) {
        return caller.name() == null ? caller.subject() : caller.name();
    }
}
