package no.knutepunkt.web;

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
import no.knutepunkt.access.CurrentRequest;
import no.knutepunkt.access.EmergencyAccessResource;
import no.knutepunkt.access.EmergencyGrant;
import no.knutepunkt.registry.Problem;
import no.knutepunkt.status.PatientReadings;
import no.knutepunkt.status.PatientStatus;

/**
 * The clinician's pages: the patients their care teams follow, with the latest readings; one
 * patient's readings; and emergency access (break-the-glass) to a patient outside them. Every
 * read goes through the access policy, as it does for the APIs.
 */
@Path("/app")
@Produces(MediaType.TEXT_HTML)
public class ClinicianPages {

    private static final int RECENT = 50;

    private final Pages pages;
    private final PatientStatus status;
    private final PatientReadings readings;
    private final EmergencyAccessResource emergency;
    private final CurrentRequest request;
    private final Template patients;
    private final Template patient;
    private final Template emergencyForm;

    ClinicianPages(Pages pages, PatientStatus status, PatientReadings readings, EmergencyAccessResource emergency, CurrentRequest request,
            @Location("ClinicianPages/patients.html") Template patients, @Location("ClinicianPages/patient.html") Template patient,
            @Location("ClinicianPages/emergency.html") Template emergencyForm) {
        this.pages = pages;
        this.status = status;
        this.readings = readings;
        this.emergency = emergency;
        this.request = request;
        this.patients = patients;
        this.patient = patient;
        this.emergencyForm = emergencyForm;
    }

    @GET
    @Path("/pasienter")
    @Operation(hidden = true)
    public Response patients(@QueryParam("etter") String after, @QueryParam("melding") String message) {
        PatientStatus.Patients page = status.latest(after, null);
        return pages.render(pages.of(patients).data("patients", page.patients()).data("next",
                page.next() == null ? null : "/app/pasienter?etter=" + page.patients().get(page.patients().size() - 1).id())
                .data("message", Notices.of(message)));
    }

    @GET
    @Path("/pasienter/{id}")
    @Operation(hidden = true)
    public Response patient(@PathParam("id") String id, @QueryParam("melding") String message) {
        UUID key;
        try {
            key = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new jakarta.ws.rs.NotFoundException();
        }
        try {
            PatientReadings.Readings r = readings.of(pages.context().signedIn(), key, RECENT, request.page());
            return pages.render(pages.of(patient).data("p", r).data("message", Notices.of(message)));
        } catch (AccessDenied denied) {
            // The same answer for a patient outside the care team, a blocked one and an unknown one.
            return Response.status(403).entity(pages.of(emergencyForm).data("identifier", "").data("reason", "")
                    .data("error", "Du har ikke tilgang til denne pasienten gjennom et behandlingsteam. Ved behov for øyeblikkelig "
                            + "helsehjelp kan du be om nødtilgang med begrunnelse.")).type(MediaType.TEXT_HTML).build();
        }
    }

    @GET
    @Path("/nodtilgang")
    @Operation(hidden = true)
    public Response emergencyForm() {
        return pages.render(pages.of(emergencyForm).data("identifier", "").data("reason", ""));
    }

    @POST
    @Path("/nodtilgang")
    @Operation(hidden = true)
    public Response emergency(@FormParam("csrf") String csrf, @CookieParam(PageContext.CSRF_COOKIE) String cookie,
            @FormParam("fodselsnummer") String identifier, @FormParam("begrunnelse") String reason) {
        FormGuard.verify(cookie, csrf);
        try {
            Response r = emergency.ask(new EmergencyAccessResource.Ask(null, identifier == null ? null : identifier.strip(), reason));
            UUID patientId = ((EmergencyGrant) r.getEntity()).patientId();
            return Pages.seeOther("/app/pasienter/" + patientId + "?melding=nodtilgang");
        } catch (Problem p) {
            return pages.refused(pages.of(emergencyForm).data("identifier", identifier).data("reason", reason), p.getMessage());
        } catch (AccessDenied denied) {
            return pages.refused(pages.of(emergencyForm).data("identifier", identifier).data("reason", reason),
                    "Nødtilgang ble ikke gitt. Forsøket er loggført.");
        }
    }
}
