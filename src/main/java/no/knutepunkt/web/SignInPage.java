package no.knutepunkt.web;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;

/**
 * The sign-in page: health personnel, municipality staff and the operator sign in with HelseID,
 * citizens with ID-porten. Each button goes to a page behind that sign-in; Quarkus OIDC starts the
 * authorization code flow from there and comes back to it.
 */
@Path("/logg-inn")
public class SignInPage {

    private final Pages pages;
    private final Template template;

    SignInPage(Pages pages, @Location("SignInPage/signIn.html") Template template) {
        this.pages = pages;
        this.template = template;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    @Operation(hidden = true)
    public Response page() {
        return pages.render(pages.of(template));
    }
}
