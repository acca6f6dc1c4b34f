package no.knutepunkt.web;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;

import no.knutepunkt.access.Caller;
import no.knutepunkt.access.Role;

/** Where a signed-in member of staff lands: the first page of what their role does. */
@Path("/app")
public class AppHome {

    private final PageContext context;

    AppHome(PageContext context) {
        this.context = context;
    }

    @GET
    @Operation(hidden = true)
    public Response home() {
        Caller c = context.signedIn();
        String to = c.is(Role.CLINICIAN) ? "/app/pasienter" : c.is(Role.MUNICIPALITY_ADMIN) ? "/app/kommune"
                : c.is(Role.OPERATOR) ? "/app/drift" : "/";
        return Pages.seeOther(to);
    }
}
