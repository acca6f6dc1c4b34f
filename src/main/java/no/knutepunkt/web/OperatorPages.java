package no.knutepunkt.web;

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
import io.quarkus.qute.TemplateInstance;

import no.knutepunkt.access.ReviewResource;
import no.knutepunkt.audit.AuditVerification;
import no.knutepunkt.registry.MqttCredentialsResource;
import no.knutepunkt.registry.Problem;
import no.knutepunkt.registry.VendorCredentials;
import no.knutepunkt.registry.VendorResource;

/**
 * The operator's pages: the review of emergency accesses and refused attempts (mark each as
 * looked at, with a note), the audit log's verification, and the vendors with their broker
 * credentials (a new secret is shown once, on the page that issued it). The operator sees who did
 * what to which patient id, never a patient's data. Each action goes through the operator APIs'
 * own resources, so it is authorised and audited the same way.
 */
@Path("/app/drift")
@Produces(MediaType.TEXT_HTML)
public class OperatorPages {

    private final Pages pages;
    private final ReviewResource review;
    private final VendorResource vendors;
    private final MqttCredentialsResource credentials;
    private final Template home;

    OperatorPages(Pages pages, ReviewResource review, VendorResource vendors, MqttCredentialsResource credentials,
            @Location("OperatorPages/home.html") Template home) {
        this.pages = pages;
        this.review = review;
        this.vendors = vendors;
        this.credentials = credentials;
        this.home = home;
    }

    @GET
    @Operation(hidden = true)
    public Response home(@QueryParam("melding") String message) {
        return pages.render(page(null, null).data("message", Notices.of(message)));
    }

    @POST
    @Path("/nodtilgang/{id}")
    @Operation(hidden = true)
    public Response reviewEmergency(@FormParam("csrf") String csrf, @CookieParam(PageContext.CSRF_COOKIE) String cookie,
            @PathParam("id") String id, @FormParam("merknad") String note) {
        FormGuard.verify(cookie, csrf);
        try {
            review.reviewEmergency(id, new ReviewResource.Note(note));
            return Pages.seeOther("/app/drift?melding=gjennomgatt");
        } catch (Problem p) {
            return pages.refused(page(null, null), p.getMessage());
        }
    }

    @POST
    @Path("/avvist/{id}")
    @Operation(hidden = true)
    public Response reviewRefused(@FormParam("csrf") String csrf, @CookieParam(PageContext.CSRF_COOKIE) String cookie,
            @PathParam("id") String id, @FormParam("merknad") String note) {
        FormGuard.verify(cookie, csrf);
        try {
            review.reviewRefused(id, new ReviewResource.Note(note));
            return Pages.seeOther("/app/drift?melding=gjennomgatt");
        } catch (Problem p) {
            return pages.refused(page(null, null), p.getMessage());
        }
    }

    @POST
    @Path("/verifiser")
    @Operation(hidden = true)
    public Response verify(@FormParam("csrf") String csrf, @CookieParam(PageContext.CSRF_COOKIE) String cookie,
            @FormParam("ankerSeq") String anchorSeq, @FormParam("ankerHash") String anchorHash) {
        FormGuard.verify(cookie, csrf);
        Long seq = null;
        if (anchorSeq != null && !anchorSeq.isBlank()) {
            try {
                seq = Long.parseLong(anchorSeq.strip());
            } catch (NumberFormatException e) {
                return pages.refused(page(null, null), "Ankeret må være et løpenummer (seq) fra loggen.");
            }
        }
        AuditVerification.Result result = review.verify(seq, anchorHash == null || anchorHash.isBlank() ? null : anchorHash.strip());
        return pages.render(page(result, null));
    }

    @POST
    @Path("/leverandorer/{id}/mqtt")
    @Operation(hidden = true)
    public Response issueCredential(@FormParam("csrf") String csrf, @CookieParam(PageContext.CSRF_COOKIE) String cookie,
            @PathParam("id") String vendorId) {
        FormGuard.verify(cookie, csrf);
        try {
            VendorCredentials.Issued issued = (VendorCredentials.Issued) credentials.issue(vendorId).getEntity();
            // Shown once, on this answer only; the hub keeps just its hash.
            return pages.render(page(null, issued).data("message", Notices.of("legitimasjon")));
        } catch (Problem p) {
            return pages.refused(page(null, null), p.getMessage());
        }
    }

    private TemplateInstance page(AuditVerification.Result verification, VendorCredentials.Issued issued) {
        return pages.of(home).data("emergency", review.emergency(false, 100)).data("refused", review.refused(false, 100))
                .data("vendors", vendors.list()).data("verification", verification).data("issued", issued);
    }
}
