package no.knutepunkt.ingest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import org.apache.camel.Exchange;

import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;

import no.knutepunkt.access.AccessPolicy;
import no.knutepunkt.access.Caller;
import no.knutepunkt.access.Callers;
import no.knutepunkt.access.Request;
import no.knutepunkt.access.Role;

/**
 * Who posts over HTTPS: only a vendor's own system (its OAuth client, registered on the vendor)
 * may post under its vendor id. Anything else is refused here — 403, audited by the access policy
 * — before the message is read, so it is neither ingested nor counted as received: it was never
 * the vendor's message.
 */
@ApplicationScoped
@Named("vendorCallers")
public class VendorCallers {

    /** Set by Camel's platform-http consumer from Vert.x's RoutingContext.user(): Quarkus's authenticated user. */
    private static final String USER = "CamelVertxPlatformHttpAuthenticatedUser";
    private static final String REMOTE = "CamelVertxPlatformHttpRemoteAddress";

    private final AccessPolicy policy;

    VendorCallers(AccessPolicy policy) {
        this.policy = policy;
    }

    /**
     * True when refused (the refusal audited); {@link #answerRefusal} then gives the answer. Two
     * methods, because Camel evaluates a filter's method expression on a copy of the exchange and
     * carries back only its headers: a body set here would never reach the client, which would get
     * its own payload back instead.
     */
    public boolean refuses(Exchange exchange) {
        String vendor = exchange.getMessage().getHeader("vendorId", String.class);
        Object user = exchange.getMessage().getHeader(USER);
        Caller caller = user instanceof QuarkusHttpUser q ? Callers.find(q.getSecurityIdentity()).orElse(null) : null;
        if (caller != null && caller.is(Role.VENDOR_CLIENT) && caller.vendorId().equals(vendor)) {
            return false;
        }
        Object remote = exchange.getMessage().getHeader(REMOTE);
        Request request = Request.of("POST", "/ingest/v1/" + vendor, remote == null ? null : remote.toString());
        policy.deny(caller, null, request, "ingest", "measurement", caller == null ? "no-caller"
                : caller.is(Role.VENDOR_CLIENT) ? "another-vendors-path" : "not-a-vendor-client");
        return true;
    }

    /** The 403 answer to a request {@link #refuses} refused; nothing of the request goes back. */
    public void answerRefusal(Exchange exchange) {
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 403);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody("{\"error\":\"only the vendor's own system may post under its vendor id\"}");
        exchange.getMessage().removeHeaders("*", Exchange.HTTP_RESPONSE_CODE, Exchange.CONTENT_TYPE);
    }
}
