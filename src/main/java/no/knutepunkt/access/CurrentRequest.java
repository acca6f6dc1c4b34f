package no.knutepunkt.access;

import jakarta.enterprise.context.RequestScoped;

import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.ext.web.RoutingContext;

/** The request being served, as the audit log names it ({@link Request}), for JAX-RS resources and pages. */
@RequestScoped
public class CurrentRequest {

    private final CurrentVertxRequest vertx;

    CurrentRequest(CurrentVertxRequest vertx) {
        this.vertx = vertx;
    }

    public Request get() {
        RoutingContext rc = vertx.getCurrent();
        if (rc == null) {
            return new Request("internal", null);
        }
        String address = rc.request().remoteAddress() == null ? null : rc.request().remoteAddress().hostAddress();
        return Request.of(rc.request().method().name(), rc.normalizedPath(), address);
    }

    /** The same request, named as a page does it ({@code page /app/kommune}). */
    public Request page() {
        RoutingContext rc = vertx.getCurrent();
        Request r = get();
        return rc == null ? r : new Request("page " + rc.request().method().name() + " " + rc.normalizedPath(), r.sourceAddress());
    }
}
