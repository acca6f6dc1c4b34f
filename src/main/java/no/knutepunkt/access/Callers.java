package no.knutepunkt.access;

import java.util.Optional;

import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;

/** The {@link Caller} behind a request's security identity. */
public final class Callers {

    private Callers() {
    }

    /** The caller, or 401 when the request carries none that this hub maps (anonymous, or a tenant it does not read). */
    public static Caller of(SecurityIdentity identity) {
        return find(identity).orElseThrow(() -> new UnauthorizedException("sign in first: this needs a Knutepunkt caller"));
    }

    public static Optional<Caller> find(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous()) {
            return Optional.empty();
        }
        return Optional.ofNullable(identity.getAttribute(CallerResolution.CALLER));
    }
}
