package no.knutepunkt.registry;

import java.util.List;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import no.knutepunkt.access.Caller;
import no.knutepunkt.access.Role;
import no.knutepunkt.registry.Organisations.NewOrganisation;
import no.knutepunkt.registry.Organisations.Organisation;

/** Organisations (municipalities, GP practices, hospitals, vendors): registered by the operator, listed for staff. */
@Path("/api/registry/organisations")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Registry")
public class OrganisationResource {

    private static final String TYPE = "organisation";

    private final Transactions tx;
    private final Organisations organisations;
    private final RegistryAccess access;

    OrganisationResource(Transactions tx, Organisations organisations, RegistryAccess access) {
        this.tx = tx;
        this.organisations = organisations;
        this.access = access;
    }

    @POST
    @Operation(summary = "Register an organisation (operator)")
    public Response create(NewOrganisation body) {
        Caller caller = access.requireAny("create", TYPE, Role.OPERATOR);
        Organisation o = tx.write(c -> {
            Organisation created = organisations.create(c, Requests.required(body));
            access.recordActionIn(c, caller, "create", TYPE, List.of(created.id().toString()));
            return created;
        });
        return Requests.created("organisations/" + o.id(), o);
    }

    @GET
    @Operation(summary = "List organisations (staff)")
    public List<Organisation> list() {
        access.requireAny("search", TYPE, Role.OPERATOR, Role.MUNICIPALITY_ADMIN, Role.CLINICIAN);
        return tx.read(organisations::list);
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One organisation (staff)")
    public Organisation one(@PathParam("id") String id) {
        access.requireAny("read", TYPE, Role.OPERATOR, Role.MUNICIPALITY_ADMIN, Role.CLINICIAN);
        UUID key = Requests.pathId(id);
        return tx.read(c -> organisations.find(c, key)).orElseThrow(() -> Problem.notFound("no such organisation"));
    }
}
