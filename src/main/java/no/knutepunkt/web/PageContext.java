package no.knutepunkt.web;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.core.NewCookie;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.core.http.Cookie;

import no.knutepunkt.access.Caller;
import no.knutepunkt.access.Callers;
import no.knutepunkt.access.Role;

/**
 * What every page knows about its request: who is signed in, and the anti-forgery token its forms
 * carry. The token is a random value kept in a cookie of its own (SameSite=Strict, HttpOnly) and
 * repeated in every form; {@link FormGuard} refuses a form whose copy does not match. A page on
 * another site can neither read that cookie nor set it, so it cannot make a signed-in browser post.
 */
@RequestScoped
public class PageContext {

    static final String CSRF_COOKIE = "knutepunkt-csrf";
    static final String CSRF_FIELD = "csrf";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecurityIdentity identity;
    private final CurrentVertxRequest request;
    private String csrf;
    private boolean csrfIsNew;

    PageContext(SecurityIdentity identity, CurrentVertxRequest request) {
        this.identity = identity;
        this.request = request;
    }

    public Optional<Caller> caller() {
        return Callers.find(identity);
    }

    /** The signed-in caller; pages under /app and /innbygger are reached only signed in. */
    public Caller signedIn() {
        return Callers.of(identity);
    }

    /** The request's anti-forgery token, made now (and set as a cookie with the page) if the browser has none. */
    public String csrf() {
        if (csrf == null) {
            Cookie c = request.getCurrent() == null ? null : request.getCurrent().request().getCookie(CSRF_COOKIE);
            if (c != null && c.getValue() != null && c.getValue().length() >= 32) {
                csrf = c.getValue();
            } else {
                byte[] b = new byte[32];
                RANDOM.nextBytes(b);
                csrf = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
                csrfIsNew = true;
            }
        }
        return csrf;
    }

    /** The cookie to send with a page that made a new token, or null. */
    NewCookie csrfCookie() {
        if (!csrfIsNew) {
            return null;
        }
        return new NewCookie.Builder(CSRF_COOKIE).value(csrf).path("/").httpOnly(true).secure(secureRequest())
                .sameSite(NewCookie.SameSite.STRICT).build();
    }

    private boolean secureRequest() {
        return request.getCurrent() != null && request.getCurrent().request().isSSL();
    }

    /** The navigation a signed-in caller gets: one entry per role it has. */
    public Nav nav() {
        Caller c = caller().orElse(null);
        if (c == null) {
            return Nav.ANONYMOUS;
        }
        String org = c.organisation() == null ? null : c.organisation().name();
        return new Nav(true, c.name() == null ? c.subject() : c.name(), org, c.is(Role.CLINICIAN), c.is(Role.MUNICIPALITY_ADMIN),
                c.is(Role.OPERATOR), c.is(Role.PATIENT), c.is(Role.PATIENT) ? "/innbygger/logg-ut" : "/app/logg-ut");
    }

    /** What the layout's header shows. */
    public record Nav(boolean signedIn, String name, String organisation, boolean clinician, boolean admin, boolean operator,
            boolean patient, String signOut) {
        static final Nav ANONYMOUS = new Nav(false, null, null, false, false, false, false, null);
    }
}
