package no.knutepunkt.access;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import org.eclipse.microprofile.jwt.JsonWebToken;

/** A verified token's claims as plain strings, whatever JSON type the issuer chose for them. */
final class TokenClaims {

    private final JsonWebToken token;

    TokenClaims(JsonWebToken token) {
        this.token = token;
    }

    String issuer() {
        return token.getIssuer();
    }

    String subject() {
        return token.getSubject();
    }

    /** A single-valued claim as text, or null when absent or blank. */
    String text(String name) {
        Object v = token.getClaim(name);
        String s = null;
        if (v instanceof JsonString js) {
            s = js.getString();
        } else if (v instanceof String str) {
            s = str;
        } else if (v instanceof JsonNumber || v instanceof Number) {
            s = v.toString();
        }
        return s == null || s.isBlank() ? null : s.strip();
    }

    /** A claim's values: an array's elements, or a space-separated string's words (as OAuth writes scope). */
    List<String> values(String name) {
        Object v = token.getClaim(name);
        List<String> out = new ArrayList<>();
        if (v instanceof JsonArray array) {
            for (JsonValue e : array) {
                if (e instanceof JsonString s) {
                    out.add(s.getString());
                }
            }
        } else if (v instanceof Collection<?> c) {
            c.forEach(e -> out.add(String.valueOf(e)));
        } else {
            String s = text(name);
            if (s != null) {
                out.addAll(List.of(s.split("\\s+")));
            }
        }
        return out;
    }
}
