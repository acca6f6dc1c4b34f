package no.knutepunkt.access;

import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** A patient's blocks, kept by a municipality admin on the patient's behalf (asked by phone, say). */
@Path("/api/registry/patients/{id}/blocks")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Access")
public class PatientBlockResource {

    private final Blocking blocking;

    PatientBlockResource(Blocking blocking) {
        this.blocking = blocking;
    }

    @GET
    @Operation(summary = "A patient's blocks (municipality admin of the patient's municipality)")
    public List<PatientBlock> ofPatient(@PathParam("id") String id) {
        return blocking.list(blocking.administered(id));
    }

    @POST
    @Operation(summary = "Block a named clinician on the patient's behalf (municipality admin)")
    public Response blockForPatient(@PathParam("id") String id, BlockResource.NewBlock body) {
        return blocking.block(blocking.administered(id), body);
    }

    @DELETE
    @Path("/{blockId}")
    @Operation(summary = "Lift a block on the patient's behalf (municipality admin)")
    public Response liftForPatient(@PathParam("id") String id, @PathParam("blockId") String blockId) {
        return blocking.lift(blocking.administered(id), blockId);
    }
}
