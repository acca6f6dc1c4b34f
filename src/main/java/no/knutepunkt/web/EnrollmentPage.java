package no.knutepunkt.web;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

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
import no.knutepunkt.registry.Consents.NewConsent;
import no.knutepunkt.registry.DeviceAssignments.DeviceAssignment;
import no.knutepunkt.registry.DeviceAssignments.NewAssignment;
import no.knutepunkt.registry.EnrollmentResource;
import no.knutepunkt.registry.EnrollmentResource.EnrollmentView;
import no.knutepunkt.registry.OrganisationResource;
import no.knutepunkt.registry.Organisations.Organisation;
import no.knutepunkt.registry.PatientResource;
import no.knutepunkt.registry.Patients.Patient;
import no.knutepunkt.registry.Pauses.NewPause;
import no.knutepunkt.registry.Problem;
import no.knutepunkt.registry.VendorResource;

/**
 * One enrollment, as the municipality admin runs it: the devices (assign one, swap a broken one in
 * one step, unassign), pauses (with a reason) and resuming, consents (add one, withdraw one), and
 * ending follow-up. Each action is the enrollment API's own ({@link EnrollmentResource}), with its
 * access policy and audit; what it refuses is shown on the page again, with the registry's reason.
 */
@Path("/app/kommune/innrullering")
@Produces(MediaType.TEXT_HTML)
public class EnrollmentPage {

    private static final List<String> PAUSE_REASONS = List.of("hospital-admission", "travel", "other");
    private static final List<String> CONSENT_SCOPES = List.of("home-follow-up", "record-sharing");

    private final Pages pages;
    private final EnrollmentResource enrollments;
    private final PatientResource patients;
    private final OrganisationResource organisations;
    private final VendorResource vendors;
    private final Clock clock;
    private final Template page;

    EnrollmentPage(Pages pages, EnrollmentResource enrollments, PatientResource patients, OrganisationResource organisations,
            VendorResource vendors, Clock clock, @Location("AdminPages/enrollment.html") Template page) {
        this.pages = pages;
        this.enrollments = enrollments;
        this.patients = patients;
        this.organisations = organisations;
        this.vendors = vendors;
        this.clock = clock;
        this.page = page;
    }

    /** A care team member as the page shows it. */
    public record TeamMember(String name, String role) {
    }

    /** A device assignment as the page shows it: {@code current} when it holds now or later. */
    public record Shown(DeviceAssignment assignment, boolean current) {
    }

    @GET
    @Path("/{id}")
    @Operation(hidden = true)
    public Response show(@PathParam("id") String id, @QueryParam("melding") String message) {
        return page(id, Notices.of(message), null);
    }

    @POST
    @Path("/{id}/tildel")
    @Operation(hidden = true)
    public Response assign(@FormParam("csrf") String csrf, @CookieParam(PageContext.CSRF_COOKIE) String cookie, @PathParam("id") String id,
            @FormParam("leverandor") String vendor, @FormParam("serienummer") String serial, @FormParam("fra") String from) {
        FormGuard.verify(cookie, csrf);
        return act(id, "tildelt", () -> enrollments.assign(id, new NewAssignment(null, strip(vendor), strip(serial),
                fromOrNow(FormDates.startOf(from, "Fra-datoen")), null)));
    }

    @POST
    @Path("/{id}/tildeling/{assignment}/bytt")
    @Operation(hidden = true)
    public Response swap(@FormParam("csrf") String csrf, @CookieParam(PageContext.CSRF_COOKIE) String cookie, @PathParam("id") String id,
            @PathParam("assignment") String assignment, @FormParam("leverandor") String vendor, @FormParam("serienummer") String serial) {
        FormGuard.verify(cookie, csrf);
        return act(id, "byttet", () -> enrollments.swap(id, assignment, new EnrollmentResource.Swap(null, strip(vendor), strip(serial), null)));
    }

    @POST
    @Path("/{id}/tildeling/{assignment}/avslutt")
    @Operation(hidden = true)
    public Response unassign(@FormParam("csrf") String csrf, @CookieParam(PageContext.CSRF_COOKIE) String cookie, @PathParam("id") String id,
            @PathParam("assignment") String assignment) {
        FormGuard.verify(cookie, csrf);
        return act(id, "avsluttet-tildeling", () -> enrollments.unassign(id, assignment, new EnrollmentResource.Unassignment(null)));
    }

    @POST
    @Path("/{id}/pause")
    @Operation(hidden = true)
    public Response pause(@FormParam("csrf") String csrf, @CookieParam(PageContext.CSRF_COOKIE) String cookie, @PathParam("id") String id,
            @FormParam("arsak") String reason, @FormParam("merknad") String note) {
        FormGuard.verify(cookie, csrf);
        return act(id, "pause", () -> enrollments.pause(id, new NewPause(null, reason, note)));
    }

    @POST
    @Path("/{id}/gjenoppta")
    @Operation(hidden = true)
    public Response resume(@FormParam("csrf") String csrf, @CookieParam(PageContext.CSRF_COOKIE) String cookie, @PathParam("id") String id) {
        FormGuard.verify(cookie, csrf);
        return act(id, "gjenopptatt", () -> enrollments.resume(id, new EnrollmentResource.Resumption(null)));
    }

    @POST
    @Path("/{id}/samtykke")
    @Operation(hidden = true)
    public Response consent(@FormParam("csrf") String csrf, @CookieParam(PageContext.CSRF_COOKIE) String cookie, @PathParam("id") String id,
            @FormParam("omfang") String scope, @FormParam("samtykke_av") String givenBy, @FormParam("representant") String representative,
            @FormParam("samtykke_form") String form, @FormParam("samtykke_gitt") String givenAt,
            @FormParam("samtykke_dokument") String documentReference) {
        FormGuard.verify(cookie, csrf);
        return act(id, "samtykke", () -> enrollments.consent(id, new NewConsent(scope, givenBy, representative, form,
                FormDates.startOf(givenAt, "Datoen samtykket ble gitt"), documentReference)));
    }

    @POST
    @Path("/{id}/samtykke/{consent}/trekk")
    @Operation(hidden = true)
    public Response withdraw(@FormParam("csrf") String csrf, @CookieParam(PageContext.CSRF_COOKIE) String cookie, @PathParam("id") String id,
            @PathParam("consent") String consent) {
        FormGuard.verify(cookie, csrf);
        return act(id, "samtykke-trukket", () -> enrollments.withdraw(id, consent, new EnrollmentResource.Withdrawal(null)));
    }

    @POST
    @Path("/{id}/avslutt")
    @Operation(hidden = true)
    public Response end(@FormParam("csrf") String csrf, @CookieParam(PageContext.CSRF_COOKIE) String cookie, @PathParam("id") String id) {
        FormGuard.verify(cookie, csrf);
        return act(id, "avsluttet", () -> enrollments.end(id, new EnrollmentResource.EndOfEnrollment(null)));
    }

    /** Does the action, then shows the enrollment with its notice (post, redirect, get); a refusal shows it with the reason. */
    private Response act(String id, String notice, Supplier<Object> action) {
        try {
            action.get();
            return Pages.seeOther("/app/kommune/innrullering/" + id + "?melding=" + notice);
        } catch (Problem p) {
            return page(id, null, p.getMessage());
        } catch (FormDates.Invalid e) {
            return page(id, null, e.getMessage());
        } catch (AccessDenied denied) {
            return pages.denied("Du har ikke tilgang til å endre denne innrulleringen. Forsøket er loggført.");
        }
    }

    private Response page(String id, String message, String error) {
        try {
            EnrollmentView e = enrollments.one(id);
            List<DeviceAssignment> assigned = enrollments.assignments(id);
            Patient patient = patients.one(e.patientId().toString());
            Map<UUID, String> names = new HashMap<>();
            for (Organisation o : organisations.list()) {
                names.put(o.id(), o.name());
            }
            OffsetDateTime now = OffsetDateTime.now(clock);
            var shown = pages.of(page).data("e", e).data("patient", patient)
                    .data("team", e.careTeam().stream().map(m -> new TeamMember(names.getOrDefault(m.organisationId(), "?"), m.role())).toList())
                    .data("assignments", assigned.stream().map(a -> new Shown(a, a.validTo() == null || a.validTo().isAfter(now))).toList())
                    .data("vendors", vendors.list())
                    .data("openPause", e.pauses().stream().anyMatch(p -> p.to() == null))
                    .data("ended", e.endedAt() != null)
                    .data("assignFrom", e.startedAt().isAfter(now) ? e.startedAt().atZoneSameInstant(java.time.ZoneId.of("Europe/Oslo"))
                            .toLocalDate().toString() : FormDates.today(clock))
                    .data("today", FormDates.today(clock))
                    .data("pauseReasons", Choice.of(PAUSE_REASONS, Words::pauseReason, null))
                    .data("scopes", Choice.of(CONSENT_SCOPES, Words::consentScope, null))
                    .data("forms", Choice.of(AdminPages.CONSENT_FORMS, Words::consentForm, null))
                    .data("message", message);
            return error == null ? pages.render(shown) : pages.refused(shown, error);
        } catch (AccessDenied denied) {
            return pages.denied("Du har ikke tilgang til denne innrulleringen.");
        } catch (Problem p) {
            // Only "no such enrollment" gets here: an id that is not one.
            throw new jakarta.ws.rs.NotFoundException();
        }
    }

    /** Assigned from the day given; from now when no day is given, or the day is today (readings from before are someone else's). */
    private OffsetDateTime fromOrNow(OffsetDateTime day) {
        OffsetDateTime now = OffsetDateTime.now(clock);
        return day == null || day.isBefore(now) && day.plusDays(1).isAfter(now) ? now : day;
    }

    private static String strip(String value) {
        return value == null ? null : value.strip();
    }
}
