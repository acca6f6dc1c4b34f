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

/** The patient's own blocks (sperring): which clinicians, by HPR number, may not see my data. */
@Path("/api/me/blocks")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Access")
public class BlockResource {

    private final Blocking blocking;

    BlockResource(Blocking blocking) {
        this.blocking = blocking;
    }

    /** @param hprNumber the clinician's HPR number; {@code note} is the patient's own, e.g. who that is to them */
    public record NewBlock(String hprNumber, String note) {
    }

    @GET
    @Operation(summary = "My blocks (patient)")
    public List<PatientBlock> mine() {
        return blocking.list(blocking.own());
    }

    @POST
    @Operation(summary = "Block a named clinician by HPR number from my data (patient)")
    public Response blockMine(NewBlock body) {
        return blocking.block(blocking.own(), body);
    }

    @DELETE
    @Path("/{blockId}")
    @Operation(summary = "Lift one of my blocks (patient)")
    public Response liftMine(@PathParam("blockId") String blockId) {
        return blocking.lift(blocking.own(), blockId);
    }
}
