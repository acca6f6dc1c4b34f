package no.knutepunkt.web;

import java.util.List;
import java.util.UUID;

import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;

import no.knutepunkt.access.AccessDenied;
import no.knutepunkt.access.BlockResource;
import no.knutepunkt.access.Caller;
import no.knutepunkt.access.CurrentRequest;
import no.knutepunkt.me.AccessLogResource;
import no.knutepunkt.registry.Problem;
import no.knutepunkt.status.PatientReadings;

/**
 * The patient's own page (signed in with ID-porten): their latest readings, who has seen their
 * data, their blocks of named clinicians, and the download of all their data. Each part is read
 * through the access policy as the patient's own data, as the APIs do.
 */
@Path("/innbygger")
@Produces(MediaType.TEXT_HTML)
public class CitizenPages {

    private static final int RECENT = 20;
    private static final int LOG = 50;

    private final Pages pages;
    private final PatientReadings readings;
    private final AccessLogResource log;
    private final BlockResource blocks;
    private final CurrentRequest request;
    private final Template home;

    CitizenPages(Pages pages, PatientReadings readings, AccessLogResource log, BlockResource blocks, CurrentRequest request,
            @Location("CitizenPages/home.html") Template home) {
        this.pages = pages;
        this.readings = readings;
        this.log = log;
        this.blocks = blocks;
        this.request = request;
        this.home = home;
    }

    @GET
    @Operation(hidden = true)
    public Response home(@QueryParam("melding") String message) {
        return pages.render(page().data("message", Notices.of(message)));
    }

    @POST
    @Path("/sperringer")
    @Operation(hidden = true)
    public Response block(@FormParam("csrf") String csrf, @CookieParam(PageContext.CSRF_COOKIE) String cookie,
            @FormParam("hpr") String hpr, @FormParam("merknad") String note) {
        FormGuard.verify(cookie, csrf);
        try {
            blocks.blockMine(new BlockResource.NewBlock(hpr == null ? null : hpr.strip(), note));
            return Pages.seeOther("/innbygger?melding=sperret#sperringer");
        } catch (Problem p) {
            return pages.refused(page().data("hpr", hpr).data("note", note), p.getMessage());
        }
    }

    @POST
    @Path("/sperringer/{id}/opphev")
    @Operation(hidden = true)
    public Response lift(@FormParam("csrf") String csrf, @CookieParam(PageContext.CSRF_COOKIE) String cookie, @PathParam("id") String id) {
        FormGuard.verify(cookie, csrf);
        try {
            blocks.liftMine(id);
            return Pages.seeOther("/innbygger?melding=sperring-opphevet#sperringer");
        } catch (Problem p) {
            return pages.refused(page(), p.getMessage());
        }
    }

    /** The page, with what the patient's own data holds; a citizen followed up nowhere sees that said. */
    private io.quarkus.qute.TemplateInstance page() {
        Caller caller = pages.context().signedIn();
        UUID patient = caller.patientId();
        if (patient == null) {
            return pages.of(home).data("registered", false).data("p", null).data("log", List.of()).data("blocks", List.of())
                    .data("hpr", "").data("note", "");
        }
        try {
            PatientReadings.Readings own = readings.of(caller, patient, RECENT, request.page());
            AccessLogResource.Page seen = log.accessLog(null, LOG);
            return pages.of(home).data("registered", true).data("p", own).data("log", seen.entries()).data("blocks", blocks.mine())
                    .data("hpr", "").data("note", "");
        } catch (AccessDenied denied) {
            return pages.of(home).data("registered", false).data("p", null).data("log", List.of()).data("blocks", List.of())
                    .data("hpr", "").data("note", "");
        }
    }
}
