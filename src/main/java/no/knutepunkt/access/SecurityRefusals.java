package no.knutepunkt.access;

import java.util.List;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jose4j.jwt.consumer.ErrorCodeValidator;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.lang.InvalidAlgorithmException;
import org.jose4j.lang.UnresolvableKeyException;

import io.quarkus.security.AuthenticationRedirectException;
import io.quarkus.security.spi.runtime.AbstractSecurityEvent;
import io.quarkus.security.spi.runtime.AuthenticationFailureEvent;
import io.quarkus.security.spi.runtime.AuthorizationFailureEvent;
import io.vertx.ext.web.RoutingContext;

import no.knutepunkt.audit.AuditEntry;
import no.knutepunkt.audit.AuditEntry.Outcome;
import no.knutepunkt.audit.AuditLog;

/**
 * Audits what Quarkus security refuses before any of our code runs: a token that is missing, not
 * genuine or does not say enough (401), and a role an endpoint does not admit (403). Observed on
 * the event loop, so the entry is handed to the audit writer without waiting for it.
 */
@ApplicationScoped
class SecurityRefusals {

    private final AuditLog audit;

    SecurityRefusals(AuditLog audit) {
        this.audit = audit;
    }

    void authentication(@Observes AuthenticationFailureEvent event) {
        // A page visited before signing in is sent to sign in, which Quarkus signals as a failure:
        // nobody was refused anything.
        if (event.getAuthenticationFailure() instanceof AuthenticationRedirectException) {
            return;
        }
        record(event, "authenticate", reason(event.getAuthenticationFailure()));
    }

    void authorisation(@Observes AuthorizationFailureEvent event) {
        boolean anonymous = event.getSecurityIdentity() == null || event.getSecurityIdentity().isAnonymous();
        record(event, "authorise", anonymous ? "no-credentials" : "role-not-admitted");
    }

    private void record(AbstractSecurityEvent event, String action, String reason) {
        Object context = event.getEventProperties().get(RoutingContext.class.getName());
        String entryPoint = "unknown";
        String source = null;
        if (context instanceof RoutingContext rc) {
            entryPoint = rc.request().method().name() + " " + rc.normalizedPath();
            source = rc.request().remoteAddress() == null ? null : rc.request().remoteAddress().hostAddress();
        }
        AuditEntry.Who who = Callers.find(event.getSecurityIdentity()).map(Caller::who).orElse(AuditEntry.Who.UNKNOWN);
        audit.recordLater(new AuditEntry(action, Outcome.DENIED, null, who, null, null, List.of(), entryPoint, source, reason, null));
    }

    /**
     * A short reason: ours ({@link CallerRefused}), or what jose4j found wrong with the token. Never
     * the exception's message as it stands: jose4j quotes the token's claims, person numbers included.
     */
    static String reason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CallerRefused refused) {
                return refused.code();
            }
            // A kid the issuer's JWKS does not have (checked after a refresh of the JWKS, which Quarkus
            // does at most once per interval; within it, Quarkus refuses without this detail: token-refused).
            if (t instanceof UnresolvableKeyException) {
                return "unknown-key";
            }
            if (t instanceof InvalidJwtException invalid) {
                return jwtReason(invalid);
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (m.contains("token type")) {
                return "wrong-token-type";
            }
            if (m.contains("signature") || m.contains("key")) {
                return "bad-signature-or-key";
            }
            if (m.contains("issuer")) {
                return "wrong-issuer";
            }
        }
        return "token-refused";
    }

    private static String jwtReason(InvalidJwtException invalid) {
        for (Throwable t = invalid.getCause(); t != null; t = t.getCause() == t ? null : t.getCause()) {
            // HS256 signed with the issuer's public key, say: jose4j refuses the algorithm before any key is tried.
            if (t instanceof InvalidAlgorithmException) {
                return "disallowed-algorithm";
            }
            if (t instanceof UnresolvableKeyException) {
                return "unknown-key";
            }
        }
        for (ErrorCodeValidator.Error e : invalid.getErrorDetails()) {
            switch (e.getErrorCode()) {
                case ErrorCodes.EXPIRED:
                    return "expired";
                case ErrorCodes.NOT_YET_VALID:
                    return "not-yet-valid";
                case ErrorCodes.ISSUER_INVALID:
                case ErrorCodes.ISSUER_MISSING:
                    return "wrong-issuer";
                case ErrorCodes.AUDIENCE_INVALID:
                case ErrorCodes.AUDIENCE_MISSING:
                    return "wrong-audience";
                case ErrorCodes.SIGNATURE_INVALID:
                case ErrorCodes.SIGNATURE_MISSING:
                    return "bad-signature";
                case ErrorCodes.EXPIRATION_MISSING:
                    return "no-expiry";
                case ErrorCodes.ISSUED_AT_MISSING:
                    return "no-issued-at";
                case ErrorCodes.MALFORMED_CLAIM:
                case ErrorCodes.JSON_INVALID:
                    return "malformed";
                default:
                    break;
            }
        }
        return "token-invalid";
    }
}
