package no.knutepunkt.web;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;

import no.knutepunkt.access.AccessDenied;
import no.knutepunkt.access.Caller;
import no.knutepunkt.registry.Consents.NewConsent;
import no.knutepunkt.registry.EnrollmentOverview;
import no.knutepunkt.registry.EnrollmentResource;
import no.knutepunkt.registry.Enrollments.CareTeamMember;
import no.knutepunkt.registry.OrganisationResource;
import no.knutepunkt.registry.Organisations.Organisation;
import no.knutepunkt.registry.Patients.NewPatient;
import no.knutepunkt.registry.Problem;

/**
 * The municipality admin's pages: the enrollments the municipality is responsible for, and
 * enrolling a patient — the municipality itself as the follow-up service, the GP practice and the
 * hospital from the registered organisations, and the consent. A change is the registry API's own
 * ({@link EnrollmentResource}), so the access policy and the audit are the same as for the API.
 */
@Path("/app/kommune")
@Produces(MediaType.TEXT_HTML)
public class AdminPages {

    private static final int PAGE_SIZE = 50;
    static final List<String> PROGRAMMES = List.of("copd", "heart-failure", "hypertension", "diabetes", "other");
    static final List<String> CONSENT_FORMS = List.of("written", "verbal", "digital");

    private final Pages pages;
    private final EnrollmentOverview overview;
    private final EnrollmentResource enrollments;
    private final OrganisationResource organisations;
    private final Clock clock;
    private final Template overviewPage;
    private final Template enrollPage;

    AdminPages(Pages pages, EnrollmentOverview overview, EnrollmentResource enrollments, OrganisationResource organisations, Clock clock,
            @Location("AdminPages/overview.html") Template overviewPage, @Location("AdminPages/enroll.html") Template enrollPage) {
        this.pages = pages;
        this.overview = overview;
        this.enrollments = enrollments;
        this.organisations = organisations;
        this.clock = clock;
        this.overviewPage = overviewPage;
        this.enrollPage = enrollPage;
    }

    /** What the enroll form holds, to show it again as it was filled in when it is refused. */
    public record EnrollForm(String identifier, String givenName, String familyName, String programme, String start, String gp,
            String hospital, String givenBy, String representative, String form, String givenAt, String documentReference) {
    }

    @GET
    @Operation(hidden = true)
    public Response overview(@QueryParam("side") String side, @QueryParam("melding") String message) {
        int page;
        try {
            page = side == null ? 1 : Math.max(1, Integer.parseInt(side));
        } catch (NumberFormatException e) {
            page = 1;
        }
        try {
            EnrollmentOverview.Page shown = overview.of(page, PAGE_SIZE);
            return pages.render(pages.of(overviewPage).data("page", shown).data("previousPage", page > 1 ? page - 1 : null)
                    .data("nextPage", shown.more() ? page + 1 : null).data("message", Notices.of(message)));
        } catch (AccessDenied denied) {
            return pages.denied("Siden er for kommunens administratorer.");
        }
    }

    @GET
    @Path("/ny")
    @Operation(hidden = true)
    public Response enrollForm() {
        String today = FormDates.today(clock);
        try {
            return pages.render(form(new EnrollForm("", "", "", "", today, "", "", "patient", "", "written", today, "")));
        } catch (AccessDenied denied) {
            return pages.denied("Siden er for kommunens administratorer.");
        }
    }

    @POST
    @Path("/ny")
    @Operation(hidden = true)
    public Response enroll(@FormParam("csrf") String csrf, @CookieParam(PageContext.CSRF_COOKIE) String cookie,
            @FormParam("fodselsnummer") String identifier, @FormParam("fornavn") String givenName, @FormParam("etternavn") String familyName,
            @FormParam("program") String programme, @FormParam("start") String start, @FormParam("fastlege") String gp,
            @FormParam("sykehus") String hospital, @FormParam("samtykke_av") String givenBy, @FormParam("representant") String representative,
            @FormParam("samtykke_form") String form, @FormParam("samtykke_gitt") String givenAt,
            @FormParam("samtykke_dokument") String documentReference) {
        FormGuard.verify(cookie, csrf);
        EnrollForm f = new EnrollForm(identifier, givenName, familyName, programme, start, gp, hospital, givenBy, representative, form, givenAt,
                documentReference);
        Caller me = pages.context().signedIn();
        try {
            UUID municipality = me.organisation() == null ? null : me.organisation().id();
            List<CareTeamMember> team = new ArrayList<>();
            team.add(new CareTeamMember(municipality, "follow-up-service"));
            if (gp != null && !gp.isBlank()) {
                team.add(new CareTeamMember(organisation(gp), "gp"));
            }
            if (hospital != null && !hospital.isBlank()) {
                team.add(new CareTeamMember(organisation(hospital), "hospital"));
            }
            NewConsent consent = new NewConsent("home-follow-up", givenBy, representative, form,
                    FormDates.startOf(givenAt, "Datoen samtykket ble gitt"), documentReference);
            Response created = enrollments.create(new EnrollmentResource.EnrollmentRequest(null,
                    new NewPatient(identifier == null ? null : identifier.strip(), givenName, familyName), blankToNull(programme),
                    municipality, team, FormDates.startOf(start, "Start"), null, consent));
            EnrollmentResource.EnrollmentView made = (EnrollmentResource.EnrollmentView) created.getEntity();
            return Pages.seeOther("/app/kommune/innrullering/" + made.id() + "?melding=innrullert");
        } catch (Problem p) {
            return pages.refused(form(f), p.getMessage());
        } catch (FormDates.Invalid e) {
            return pages.refused(form(f), e.getMessage());
        } catch (AccessDenied denied) {
            return pages.refused(form(f), "Du har ikke tilgang til å innrullere denne pasienten for kommunen. Forsøket er loggført.");
        }
    }

    private TemplateInstance form(EnrollForm f) {
        Caller me = pages.context().signedIn();
        List<Organisation> all = organisations.list();
        return pages.of(enrollPage).data("f", f).data("municipality", me.organisation() == null ? "" : me.organisation().name())
                .data("programmes", Choice.of(PROGRAMMES, Words::programme, f.programme()))
                .data("forms", Choice.of(CONSENT_FORMS, Words::consentForm, f.form()))
                .data("gps", organisations(all, "gp-practice", f.gp()))
                .data("hospitals", organisations(all, "hospital", f.hospital()));
    }

    private static List<Choice> organisations(List<Organisation> all, String kind, String chosen) {
        return all.stream().filter(o -> kind.equals(o.kind()))
                .map(o -> new Choice(o.id().toString(), o.name() + " (" + o.orgNumber() + ")", o.id().toString().equals(chosen))).toList();
    }

    /** An organisation chosen in a list: its id, which only a tampered form makes anything else. */
    private static UUID organisation(String id) {
        try {
            return UUID.fromString(id.strip());
        } catch (IllegalArgumentException e) {
            throw Problem.invalid("careTeam", "Velg en virksomhet fra listen.");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
