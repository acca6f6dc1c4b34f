package no.knutepunkt.access;


import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;

import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.IdTokenCredential;
import io.quarkus.oidc.runtime.OidcJwtCallerPrincipal;
import io.quarkus.oidc.runtime.OidcUtils;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Turns the identity Quarkus OIDC verified (signature, issuer, audience, times) into a
 * {@link Caller}: the roles it gets are only those {@link CallerMapping} derives — never roles
 * Quarkus read from the token on its own — and a token that does not say enough is refused (401),
 * as is one too long or a bearer token whose header does not say it is an access token
 * ({@link AccessTokenType}).
 * The caller travels as the identity's attribute {@value #CALLER}.
 */
@ApplicationScoped
class CallerResolution implements SecurityIdentityAugmentor {

    static final String CALLER = "knutepunkt.caller";

    private final CallerMapping mapping;
    private final AuthConfig config;

    CallerResolution(CallerMapping mapping, AuthConfig config) {
        this.mapping = mapping;
        this.config = config;
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous()) {
            return Uni.createFrom().item(identity);
        }
        String tenant = identity.getAttribute(OidcUtils.TENANT_ID_ATTRIBUTE);
        if (tenant == null || !mapping.covers(tenant)) {
            return Uni.createFrom().item(identity);
        }
        return context.runBlocking(() -> {
            try {
                return resolve(identity, tenant);
            } catch (CallerRefused refused) {
                throw new AuthenticationFailedException(refused.getMessage(), refused);
            }
        });
    }

    private SecurityIdentity resolve(SecurityIdentity identity, String tenant) {
        AccessTokenCredential access = identity.getCredential(AccessTokenCredential.class);
        if (access != null && access.getToken() != null && access.getToken().length() > config.maxTokenLength()) {
            throw new CallerRefused("oversized-token", "the token is longer than " + config.maxTokenLength() + " characters");
        }
        // A bearer token is what the caller presented; a page session's access token came from the
        // issuer's token endpoint itself, so only the former can be an ID token passed off as one.
        if (identity.getCredential(IdTokenCredential.class) == null && access != null && access.getToken() != null) {
            AccessTokenType.require(access.getToken(), config.citizenTenants().contains(tenant) ? config.citizen().accessTokenType()
                    : config.personnel().accessTokenType());
        }
        JsonWebToken token = accessToken(identity, access);
        Caller caller = mapping.map(tenant, new TokenClaims(token), clientId(token));
        QuarkusSecurityIdentity.Builder b = QuarkusSecurityIdentity.builder()
                .setPrincipal(identity.getPrincipal())
                .addCredentials(identity.getCredentials())
                .addAttributes(identity.getAttributes())
                .addAttribute(CALLER, caller);
        caller.roles().forEach(r -> b.addRole(r.code()));
        return b.build();
    }

    /**
     * The access token's claims: with a bearer token the principal is that token; a signed-in page
     * session's principal is its ID token, and HelseID puts the organisation claims in the access
     * token only, so that is read — verified by Quarkus OIDC (authentication.verify-access-token).
     */
    private static JsonWebToken accessToken(SecurityIdentity identity, AccessTokenCredential access) {
        if (identity.getPrincipal() instanceof JsonWebToken principal
                && (access == null || access.getToken() == null || access.getToken().equals(principal.getRawToken()))) {
            return principal;
        }
        if (access == null || access.getToken() == null) {
            throw new AuthenticationFailedException("the session holds no access token");
        }
        try {
            JwtClaims claims = new JwtConsumerBuilder().setSkipSignatureVerification().setSkipAllValidators()
                    .setDisableRequireSignature().build().processToClaims(access.getToken());
            return new OidcJwtCallerPrincipal(claims, access);
        } catch (InvalidJwtException e) {
            throw new AuthenticationFailedException("the session's access token is not a JWT");
        }
    }

    private static String clientId(JsonWebToken token) {
        TokenClaims claims = new TokenClaims(token);
        String client = claims.text("client_id");
        return client != null ? client : claims.text("azp");
    }
}
