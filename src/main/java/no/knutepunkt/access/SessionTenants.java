package no.knutepunkt.access;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.oidc.TenantResolver;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;

/**
 * Which OIDC tenant checks a request that carries no bearer token. The pages (/app, /innbygger)
 * sign in by themselves (tenant-paths); a page's own requests elsewhere — the status page's JSON,
 * a FHIR link followed in the browser — carry the session cookie, whose tenant this names. A
 * request with a bearer token is left to the issuer-based choice, and one with neither gets 401.
 */
@ApplicationScoped
class SessionTenants implements TenantResolver {

    static final String STAFF = "helseid-web";
    static final String CITIZEN = "idporten-web";

    @Override
    public String resolve(RoutingContext context) {
        if (context.request().getHeader("Authorization") != null) {
            return null;
        }
        String path = context.normalizedPath();
        if (path.equals("/innbygger") || path.startsWith("/innbygger/")) {
            return CITIZEN;
        }
        if (path.equals("/app") || path.startsWith("/app/")) {
            return STAFF;
        }
        if (hasSession(context, CITIZEN)) {
            return CITIZEN;
        }
        if (hasSession(context, STAFF)) {
            return STAFF;
        }
        return null;
    }

    /** Quarkus names a tenant's session cookie q_session_{tenant}, in chunks (_chunk_1 …) when large. */
    private static boolean hasSession(RoutingContext context, String tenant) {
        String name = "q_session_" + tenant;
        for (Cookie c : context.request().cookies()) {
            if (c.getName().equals(name) || c.getName().startsWith(name + "_chunk_")) {
                return true;
            }
        }
        return false;
    }
}
