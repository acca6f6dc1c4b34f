package no.knutepunkt.embedded;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import no.knutepunkt.embedded.DemoUsers.DemoUser;
import no.knutepunkt.embedded.LocalIssuer.Realm;

/**
 * The local issuer's HTML pages, in Norwegian (bokmål): the demo user chooser, the error page and
 * the logged-out page. No script at all; one inline style, allowed by its hash rather than
 * 'unsafe-inline'. Every value is escaped, including our own file's: the users file is data, and
 * request parameters come back in hidden fields.
 */
final class IssuerPages {

    private static final String STYLE = """
            body { font-family: system-ui, sans-serif; margin: 0; background: #f4f6f8; color: #1b1f23; line-height: 1.4; }
            main { max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
            h1 { font-size: 1.6rem; }
            ul { list-style: none; padding: 0; }
            li { margin: 0 0 .75rem; }
            button { width: 100%; text-align: left; font: inherit; padding: .75rem 1rem; border: 2px solid #1a4d8f;
                     border-radius: .4rem; background: #fff; color: #1b1f23; cursor: pointer; }
            button:hover { background: #e8eef7; }
            button:focus-visible { outline: 3px solid #b3470d; outline-offset: 2px; }
            .name { display: block; font-weight: 700; }
            .detail { display: block; }
            .note { font-size: .9rem; color: #3d444d; }
            """;
    private static final String STYLE_SOURCE = "'sha256-" + sha256Base64(STYLE) + "'";

    private IssuerPages() {
    }

    /**
     * The chooser's policy. Its form posts here and we answer with a redirect to the client, and
     * browsers apply form-action to that redirect too: without the client's origin, Chrome would
     * block the login at its last step.
     */
    static String chooserPolicy(String redirectOrigin) {
        return "default-src 'none'; style-src " + STYLE_SOURCE + "; form-action 'self' " + redirectOrigin
                + "; frame-ancestors 'none'; base-uri 'none'";
    }

    /** For pages without a form. */
    static String plainPolicy() {
        return "default-src 'none'; style-src " + STYLE_SOURCE + "; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";
    }

    /**
     * One submit button per person: the choice is the button pressed, so it works by keyboard
     * (Tab, Enter) as by mouse, and a screen reader names each button by who it logs in as.
     *
     * @param hidden the authorization request's parameters, sent back with the choice
     */
    static String chooser(Realm realm, List<DemoUser> people, Map<String, String> hidden) {
        StringBuilder body = new StringBuilder();
        body.append("<h1 id=\"title\">Velg demobruker</h1>\n")
                .append("<p>Knutepunktets lokale innloggingstjeneste står i stedet for ").append(escape(realm.displayName()))
                .append(" i demoen og testene. Alle brukerne er fiktive, og ingen passord trengs.</p>\n")
                .append("<form method=\"post\" action=\"/").append(escape(realm.path()))
                .append("/authorize\" aria-labelledby=\"title\">\n");
        hidden.forEach((name, value) -> body.append("<input type=\"hidden\" name=\"").append(escape(name))
                .append("\" value=\"").append(escape(value)).append("\">\n"));
        body.append("<ul>\n");
        for (DemoUser person : people) {
            body.append("<li><button type=\"submit\" name=\"user\" value=\"").append(escape(person.key())).append("\">")
                    .append("<span class=\"name\">").append(escape(person.name())).append("</span> ")
                    .append("<span class=\"detail\">").append(escape(person.role()));
            if (person.organisation() != null) {
                body.append(" – ").append(escape(person.organisation()));
            }
            body.append("</span></button></li>\n");
        }
        body.append("</ul>\n</form>\n")
                .append("<p class=\"note\">Denne siden finnes bare i demo- og testoppsettet, aldri i produksjon.</p>\n");
        return page("Velg demobruker – " + realm.displayName() + " (lokal testinnlogging)", body.toString());
    }

    static String error(String problem) {
        return page("Ugyldig innloggingsforespørsel", "<h1>Ugyldig innloggingsforespørsel</h1>\n<p>"
                + escape(problem) + "</p>\n<p>Du er ikke sendt videre, fordi forespørselen ikke kunne godtas. "
                + "Start innloggingen på nytt fra knutepunktet.</p>\n");
    }

    static String loggedOut(Realm realm) {
        return page("Logget ut", "<h1>Logget ut</h1>\n<p>Du er logget ut av den lokale innloggingstjenesten ("
                + escape(realm.displayName()) + "). Du kan lukke dette vinduet.</p>\n");
    }

    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
            case '&' -> escaped.append("&amp;");
            case '<' -> escaped.append("&lt;");
            case '>' -> escaped.append("&gt;");
            case '"' -> escaped.append("&quot;");
            case '\'' -> escaped.append("&#39;");
            default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }

    private static String page(String title, String body) {
        return "<!DOCTYPE html>\n<html lang=\"nb\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "<title>" + escape(title) + "</title>\n<style>" + STYLE + "</style>\n</head>\n<body>\n<main>\n"
                + body + "</main>\n</body>\n</html>\n";
    }

    private static String sha256Base64(String text) {
        try {
            return Base64.getEncoder().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
