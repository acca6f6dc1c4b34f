package no.knutepunkt.embedded;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import no.knutepunkt.embedded.IssuerExchange.Params;
import no.knutepunkt.embedded.LocalIssuer.Realm;

/**
 * {@code /{realm}/logout} (OIDC RP-initiated logout). The local issuer keeps no login session
 * (every login is a fresh choice), so there is nothing to end here: it sends the browser back to
 * {@code post_logout_redirect_uri} when that is an allowed loopback address, with {@code state},
 * and otherwise says "Logget ut".
 */
final class LogoutEndpoint {

    private final LoopbackRedirects redirects;

    LogoutEndpoint(LoopbackRedirects redirects) {
        this.redirects = redirects;
    }

    void handle(Realm realm, IssuerExchange exchange) throws IOException {
        if (!exchange.method().equals("GET") && !exchange.method().equals("POST")) {
            exchange.methodNotAllowed("GET, POST");
            return;
        }
        Params params = exchange.params();
        String target = params.problem() == null ? params.get("post_logout_redirect_uri") : null;
        if (redirects.originOf(target).isPresent()) {
            String state = params.get("state");
            exchange.redirect(state == null ? target
                    : target + (target.contains("?") ? "&" : "?") + "state="
                            + URLEncoder.encode(state, StandardCharsets.UTF_8).replace("+", "%20"));
            return;
        }
        exchange.html(200, IssuerPages.loggedOut(realm), IssuerPages.plainPolicy());
    }
}
