package no.knutepunkt.embedded;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import no.knutepunkt.embedded.DemoUsers.DemoUser;
import no.knutepunkt.embedded.IssuerExchange.Params;

/**
 * {@code /demo/token?user={key}}: an access token for a demo user or vendor system without a
 * browser, for curl in the demo ({@code &format=text}: the token alone, for
 * {@code TOKEN=$(curl …)} without a JSON tool). It exists only in the local issuer: HelseID and ID-porten give
 * nobody a token without a login, and the response says so in a header.
 */
final class DemoTokenEndpoint {

    static final String NOTICE_HEADER = "X-Knutepunkt-Local-Issuer";
    static final String NOTICE = "demo only: /demo/token exists only in Knutepunkt's local issuer, "
            + "never in HelseID, ID-porten or production";

    private final DemoUsers users;
    private final TokenClaims claims;
    private final LocalIssuerKeys keys;

    DemoTokenEndpoint(DemoUsers users, TokenClaims claims, LocalIssuerKeys keys) {
        this.users = users;
        this.claims = claims;
        this.keys = keys;
    }

    void handle(IssuerExchange exchange) throws IOException {
        exchange.header(NOTICE_HEADER, NOTICE);
        if (!exchange.method().equals("GET") && !exchange.method().equals("POST")) {
            exchange.methodNotAllowed("GET, POST");
            return;
        }
        Params params = exchange.params();
        Optional<DemoUser> user = params.problem() == null ? users.byKey(params.get("user")) : Optional.empty();
        if (user.isEmpty()) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("error", "invalid_request");
            error.put("error_description", "user must be one of: "
                    + users.all().stream().map(DemoUser::key).collect(Collectors.joining(", ")));
            exchange.json(400, error);
            return;
        }
        String token = keys.sign(TokenClaims.accessTokenHeader(keys.keyId()), claims.access(user.get()));
        if ("text".equals(params.get("format"))) {
            exchange.text(200, token);
            return;
        }
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("access_token", token);
        response.put("token_type", "Bearer");
        response.put("expires_in", claims.lifetimeSeconds());
        exchange.json(200, response);
    }
}
