package no.knutepunkt.embedded;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where the local issuer may send a browser back to: URIs on this machine only, whose origin is one
 * of the allowed ones ({@code http://localhost:} meaning any port). An issuer that anyone can start
 * and that logs anyone in without a password must never hand a code to another host.
 */
final class LoopbackRedirects {

    /** {@code scheme://loopback-host:} (any port) or {@code scheme://loopback-host:port}. */
    private static final Pattern ALLOWED_ORIGIN = Pattern.compile("https?://(localhost|127\\.0\\.0\\.1|\\[::1\\]):(\\d{1,5})?");
    private static final int MAX_LENGTH = 2048;

    private final List<String> allowedOrigins;

    LoopbackRedirects(List<String> allowedOrigins) {
        allowedOrigins.forEach(LoopbackRedirects::checkAllowedOrigin);
        this.allowedOrigins = List.copyOf(allowedOrigins);
    }

    static void checkAllowedOrigin(String origin) {
        if (origin == null || !ALLOWED_ORIGIN.matcher(origin).matches()) {
            throw new IllegalArgumentException("an allowed redirect origin is a loopback origin such as http://localhost: "
                    + "(any port) or http://127.0.0.1:8080, not " + origin);
        }
    }

    /**
     * The origin ({@code scheme://host:port}) of {@code redirectUri} when the issuer may redirect
     * there, else empty. Besides parsing, the text itself must begin with that origin, so no
     * user-info, backslash or other trick lets a browser read a different host than this check did.
     */
    Optional<String> originOf(String redirectUri) {
        if (redirectUri == null || redirectUri.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        URI uri;
        try {
            uri = new URI(redirectUri);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
        if (!uri.isAbsolute() || uri.isOpaque() || uri.getHost() == null || uri.getPort() == -1
                || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
            return Optional.empty();
        }
        String origin = uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort();
        String rest = redirectUri.startsWith(origin) ? redirectUri.substring(origin.length()) : null;
        if (rest == null || !(rest.isEmpty() || rest.startsWith("/") || rest.startsWith("?"))) {
            return Optional.empty();
        }
        for (String allowed : allowedOrigins) {
            if (allowed.endsWith(":") ? origin.startsWith(allowed) : origin.equals(allowed)) {
                return Optional.of(origin);
            }
        }
        return Optional.empty();
    }
}
