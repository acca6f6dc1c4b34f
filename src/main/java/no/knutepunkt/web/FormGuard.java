package no.knutepunkt.web;

import java.net.URI;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;

import jakarta.ws.rs.ForbiddenException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Cookie;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Cross-site request forgery, refused twice over for every form a page posts (under /app and
 * /innbygger): the browser must say the post comes from this hub's own pages (Origin, or Referer
 * when a browser sends no Origin; Sec-Fetch-Site not cross-site), and the form's anti-forgery
 * token must match the browser's cookie ({@link #verify}, which every page's POST handler calls
 * first). The session cookie is SameSite=Lax besides.
 */
public class FormGuard {

    @ServerRequestFilter
    public void sameOrigin(ContainerRequestContext request) {
        String method = request.getMethod();
        if ("GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method)) {
            return;
        }
        String path = request.getUriInfo().getPath();
        if (!isPage(path)) {
            return;
        }
        if ("cross-site".equals(request.getHeaderString("Sec-Fetch-Site"))) {
            throw new ForbiddenException("a page's form must be posted from the hub's own pages");
        }
        String own = origin(request.getUriInfo().getRequestUri());
        String origin = request.getHeaderString("Origin");
        if (origin != null) {
            if (!origin.equals(own)) {
                throw new ForbiddenException("a page's form must be posted from the hub's own pages");
            }
            return;
        }
        String referer = request.getHeaderString("Referer");
        if (referer == null || !(referer.equals(own) || referer.startsWith(own + "/"))) {
            throw new ForbiddenException("a page's form must be posted from the hub's own pages");
        }
    }

    /** Refuses (403) a form whose anti-forgery token is not the one in the browser's cookie. */
    public static void verify(ContainerRequestContext request, String token) {
        Cookie cookie = request.getCookies().get(PageContext.CSRF_COOKIE);
        verify(cookie == null ? null : cookie.getValue(), token);
    }

    static void verify(String cookie, String token) {
        if (cookie == null || token == null || cookie.length() < 32
                || !MessageDigest.isEqual(cookie.getBytes(StandardCharsets.US_ASCII), token.getBytes(StandardCharsets.US_ASCII))) {
            throw new ForbiddenException("the form has expired or was not made by this hub: reload the page and try again");
        }
    }

    static boolean isPage(String path) {
        return path.equals("/app") || path.startsWith("/app/") || path.equals("/innbygger") || path.startsWith("/innbygger/");
    }

    private static String origin(URI uri) {
        int port = uri.getPort();
        boolean defaultPort = port == -1 || "http".equals(uri.getScheme()) && port == 80 || "https".equals(uri.getScheme()) && port == 443;
        return uri.getScheme() + "://" + uri.getHost() + (defaultPort ? "" : ":" + port);
    }
}
