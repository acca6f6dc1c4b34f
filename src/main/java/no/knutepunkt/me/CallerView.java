package no.knutepunkt.me;

import java.util.List;
import java.util.UUID;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.security.identity.SecurityIdentity;

import no.knutepunkt.access.Caller;
import no.knutepunkt.access.Callers;
import no.knutepunkt.access.Role;

/**
 * {@code GET /api/me}: who the signed-in caller is, for the pages to greet them and choose what to
 * offer. Never the national identity number: the token carries it, the pages have no use for it.
 * Not audited: it says nothing the caller's own token does not, and no patient's data.
 */
@Path("/api/me")
@Tag(name = "Me", description = "The signed-in caller's own data")
public class CallerView {

    /**
     * @param roles        the caller's roles, as the access policy knows them
     * @param hprNumber    health personnel's HPR number
     * @param organisation the organisation the caller acts for (staff and vendor systems)
     * @param patientId    a citizen who is a registered patient: their patient id (the FHIR Patient's id)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Me(List<String> roles, String name, String hprNumber, Organisation organisation, UUID patientId) {
    }

    public record Organisation(String number, String name, String kind) {
    }

    private final SecurityIdentity identity;

    CallerView(SecurityIdentity identity) {
        this.identity = identity;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Who the signed-in caller is",
            description = "Roles, name, HPR number (health personnel), organisation, and for a registered patient the patient id. "
                    + "Never the fødselsnummer.")
    public Me me() {
        Caller c = Callers.of(identity);
        Caller.Organisation o = c.organisation();
        return new Me(c.roles().stream().map(Role::code).sorted().toList(), c.name(), c.hprNumber(),
                o == null ? null : new Organisation(o.number(), o.name(), o.kind()), c.patientId());
    }
}
