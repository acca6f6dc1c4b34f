package no.knutepunkt.web;

import java.net.URI;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;

/**
 * Renders a page: the template with what the layout needs (navigation, the anti-forgery token,
 * a message or problem to show), and the token's cookie when it is new. Qute escapes every value
 * written with {@code {...}} in an .html template, so text from users (names, notes, CSV fields)
 * is shown as text, never as markup.
 */
@ApplicationScoped
public class Pages {

    private final PageContext context;
    private final Template denied;

    Pages(PageContext context, @Location("denied.html") Template denied) {
        this.context = context;
        this.denied = denied;
    }

    public TemplateInstance of(Template template) {
        return template.data("nav", context.nav()).data("csrf", context.csrf()).data("message", null).data("error", null);
    }

    public Response render(TemplateInstance page) {
        Response.ResponseBuilder r = Response.ok(page, MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"));
        NewCookie cookie = context.csrfCookie();
        if (cookie != null) {
            r.cookie(cookie);
        }
        return r.build();
    }

    /** The same page again with a problem shown (a form refused), status 422 so tests and tools see it was. */
    public Response refused(TemplateInstance page, String problem) {
        Response.ResponseBuilder r = Response.status(422).entity(page.data("error", problem)).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"));
        NewCookie cookie = context.csrfCookie();
        if (cookie != null) {
            r.cookie(cookie);
        }
        return r.build();
    }

    /** 403: the page says what the caller may not, never why (the audit log keeps that, as for the API). */
    public Response denied(String text) {
        Response.ResponseBuilder r = Response.status(403).entity(of(denied).data("text", text)).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"));
        NewCookie cookie = context.csrfCookie();
        if (cookie != null) {
            r.cookie(cookie);
        }
        return r.build();
    }

    /** After a form did its work: to the page that shows the result (post, redirect, get). */
    public static Response seeOther(String path) {
        return Response.seeOther(URI.create(path)).build();
    }

    public PageContext context() {
        return context;
    }
}
