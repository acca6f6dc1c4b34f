package no.knutepunkt.registry;

import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.quarkus.vertx.http.runtime.VertxHttpRecorder;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;

/**
 * How large a request body may be. The server takes bodies up to quarkus.http.limits.max-body-size
 * (HTTP_MAX_UPLOAD) so that a municipality's onboarding file gets in; every other request is held
 * to knutepunkt.http.max-body-size (HTTP_MAX_BODY) as before, the way Quarkus holds requests to its
 * own limit: refused with 413 by Content-Length before the body is read, else (a chunked body)
 * while it is read by a REST endpoint. (A chunked body to the ingest route is held to the server's
 * limit only: Camel's body handler reads no per-request limit.)
 */
@ApplicationScoped
class BodyLimits {

    private static final Logger LOG = Logger.getLogger(BodyLimits.class);

    /** The uploads that may be larger: the bulk onboarding API and the page that posts to it. */
    static final Set<String> UPLOADS = Set.of("/api/registry/bulk-onboarding", "/app/kommune/import");

    void install(@Observes Router router, OnboardingConfig onboarding) {
        var config = ConfigProvider.getConfig();
        long ordinary = config.getOptionalValue("knutepunkt.http.max-body-size", MemorySize.class).map(MemorySize::asLongValue)
                .orElse(1024L * 1024);
        long server = config.getOptionalValue("quarkus.http.limits.max-body-size", MemorySize.class).map(MemorySize::asLongValue)
                .orElse(Long.MAX_VALUE);
        if (server < onboarding.maxFileSize().asLongValue()) {
            LOG.warnf("quarkus.http.limits.max-body-size (HTTP_MAX_UPLOAD, %d bytes) is below knutepunkt.onboarding.max-file-size "
                    + "(%d bytes): larger onboarding files are refused by the server without a word", server,
                    onboarding.maxFileSize().asLongValue());
        }
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT + 1).handler(rc -> {
            if (UPLOADS.contains(rc.normalizedPath())) {
                rc.next();
                return;
            }
            String length = rc.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length == null) {
                rc.put(VertxHttpRecorder.MAX_REQUEST_SIZE_KEY, Math.min(ordinary, server));
            } else if (isLongerThan(length, ordinary)) {
                rc.response().putHeader(HttpHeaders.CONNECTION, "close").setStatusCode(413);
                rc.response().endHandler(v -> rc.request().connection().close());
                rc.response().end();
                return;
            }
            rc.next();
        });
    }

    private static boolean isLongerThan(String contentLength, long limit) {
        try {
            return Long.parseLong(contentLength.strip()) > limit;
        } catch (NumberFormatException e) {
            // Not a length: the server's own handling of the request decides.
            return false;
        }
    }
}
