package no.knutepunkt.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import no.knutepunkt.registry.BulkOnboarding.Report;

/**
 * Bulk onboarding from a CSV file (README, "Bulk onboarding"): a municipality admin's patients,
 * enrollments with consent and care team, and device assignments, for its own municipality. All or
 * nothing: 200 with every row's result when the file was written (or was registered already), 422
 * with every row's result when a row is refused and nothing was written, 413 when it is too large.
 * The body is the file ({@code text/csv}), or a form upload with the file in the part {@code file}.
 */
@Path("/api/registry/bulk-onboarding")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Onboarding")
public class BulkOnboardingResource {

    private final BulkOnboarding onboarding;
    private final OnboardingConfig config;

    BulkOnboardingResource(BulkOnboarding onboarding, OnboardingConfig config) {
        this.onboarding = onboarding;
        this.config = config;
    }

    @POST
    @Consumes({ "text/csv", "application/csv", MediaType.TEXT_PLAIN })
    @Operation(summary = "Onboard patients, enrollments and device assignments from a CSV file, all or nothing (municipality admin)")
    public Response upload(InputStream body, @HeaderParam(HttpHeaders.CONTENT_LENGTH) String contentLength) {
        return answer(onboard(body, declared(contentLength)));
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "The same, as a form upload: the file in the part \"file\" (municipality admin)")
    public Response uploadForm(@RestForm("file") FileUpload file) {
        return answer(onboard(file));
    }

    /** Onboards a file as it arrives: refused unread when its declared length (-1: none) is over the limit, or once it is. */
    public Report onboard(InputStream in, long declaredLength) {
        long max = config.maxFileSize().asLongValue();
        if (declaredLength > max) {
            return tooLarge(max);
        }
        byte[] file;
        try {
            file = readAtMost(in, max);
        } catch (IOException e) {
            throw new UncheckedIOException("the upload could not be read", e);
        }
        return file == null ? tooLarge(max) : onboarding.onboard(file);
    }

    /** Onboards an uploaded file (a form's file part, which the server has written to a temporary file, deleted after the request). */
    public Report onboard(FileUpload file) {
        if (file == null || file.uploadedFile() == null) {
            return Report.fileRefused("no-file", "no file was uploaded");
        }
        try (InputStream in = Files.newInputStream(file.uploadedFile())) {
            return onboard(in, file.size());
        } catch (IOException e) {
            throw new UncheckedIOException("the upload could not be read", e);
        }
    }

    private Report tooLarge(long max) {
        return Report.fileRefused("too-large", "the file is larger than " + max / (1024 * 1024) + " MB; split it into smaller files");
    }

    private static Response answer(Report r) {
        return Response.status(r.httpStatus()).entity(r).type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    private static long declared(String contentLength) {
        try {
            return contentLength == null ? -1 : Long.parseLong(contentLength.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The stream's bytes, or null as soon as there are more than {@code max}. */
    private static byte[] readAtMost(InputStream in, long max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) != -1) {
            total += n;
            if (total > max) {
                return null;
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }
}
