package no.knutepunkt.web;

import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;

import no.knutepunkt.access.AccessDenied;
import no.knutepunkt.registry.BulkOnboarding.Report;
import no.knutepunkt.registry.BulkOnboardingResource;

/**
 * The municipality admin's CSV upload: the file goes to the bulk onboarding API's own bean
 * ({@link BulkOnboardingResource}), and the page shows every row's result — new, unchanged, or
 * refused with the reasons, the refused rows marked — and says plainly that nothing was written
 * when a row was refused.
 */
@Path("/app/kommune/import")
@Produces(MediaType.TEXT_HTML)
public class ImportPage {

    /** What the page says of a file refused as a whole, by the report's code; the report's own words follow. */
    private static final Map<String, String> FILE_PROBLEMS = Map.of(
            "not-utf8", "Filen er ikke lagret som UTF-8. Lagre den i Excel med «Lagre som» og filtypen «CSV UTF-8 (kommadelt) (*.csv)», og last den opp på nytt.",
            "columns", "Kolonnene i første rad stemmer ikke med formatet.",
            "no-header", "Filen er tom, eller første rad er ikke kolonnenavnene.",
            "no-rows", "Filen har kolonnenavn, men ingen rader.",
            "unreadable", "Filen kan ikke leses som CSV: et anførselstegn er ikke lukket.",
            "too-large", "Filen er for stor. Del den i flere filer.",
            "too-many-rows", "Filen har for mange rader. Del den i flere filer.",
            "no-file", "Velg en fil å laste opp.",
            "conflict", "Registeret ble endret mens filen ble lagret. Ingenting er lagret; last opp filen på nytt.");

    private final Pages pages;
    private final BulkOnboardingResource onboarding;
    private final Template page;

    ImportPage(Pages pages, BulkOnboardingResource onboarding, @Location("AdminPages/import.html") Template page) {
        this.pages = pages;
        this.onboarding = onboarding;
        this.page = page;
    }

    @GET
    @Operation(hidden = true)
    public Response form() {
        if (!pages.context().signedIn().is(no.knutepunkt.access.Role.MUNICIPALITY_ADMIN)) {
            return pages.denied("Siden er for kommunens administratorer.");
        }
        return pages.render(pages.of(page).data("report", null).data("fileProblem", null));
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(hidden = true)
    public Response upload(@FormParam("csrf") String csrf, @CookieParam(PageContext.CSRF_COOKIE) String cookie,
            @RestForm("fil") FileUpload file) {
        FormGuard.verify(cookie, csrf);
        Report report;
        try {
            report = onboarding.onboard(file);
        } catch (AccessDenied denied) {
            return pages.denied("Bare kommunens administratorer kan importere. Forsøket er loggført.");
        }
        TemplateInstance shown = pages.of(page).data("report", report)
                .data("fileProblem", report.rows().isEmpty() && report.problemCode() != null
                        ? FILE_PROBLEMS.getOrDefault(report.problemCode(), "Filen ble avvist.") : null);
        if (report.httpStatus() == 200) {
            return pages.render(shown);
        }
        return pages.refused(shown, report.rows().isEmpty() ? "Filen er avvist. Ingenting er lagret."
                : report.counts().refused() + " av " + report.rows().size() + " rader er avvist. Ingenting er lagret.");
    }
}
