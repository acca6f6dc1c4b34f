package no.knutepunkt.access;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.eclipse.microprofile.jwt.JsonWebToken;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A verified token's claims as plain strings, whatever JSON type the issuer chose for them. The
 * JWT library hands non-standard claims over as JSON-P values; read through their JSON text, so
 * that this class needs none of JSON-P's types.
 */
final class TokenClaims {

    private static final ObjectMapper JSON = new ObjectMapper();

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

    /** A single-valued claim as text, or null when absent, blank or not a string or number. */
    String text(String name) {
        Object claim = token.getClaim(name);
        return asText(claim);
    }

    /** A claim's values: an array's elements, or a space-separated string's words (as OAuth writes scope). */
    List<String> values(String name) {
        Object v = token.getClaim(name);
        List<String> out = new ArrayList<>();
        if (v instanceof Collection<?> c) {
            for (Object e : c) {
                String s = asText(e);
                if (s != null) {
                    out.add(s);
                }
            }
        } else {
            String s = asText(v);
            if (s != null) {
                out.addAll(List.of(s.split("\\s+")));
            }
        }
        return out;
    }

    private static String asText(Object v) {
        String s;
        if (v == null) {
            s = null;
        } else if (v instanceof String str) {
            s = str;
        } else if (v instanceof Number n) {
            s = n.toString();
        } else {
            s = jsonText(v.toString());
        }
        return s == null || s.isBlank() ? null : s.strip();
    }

    /** A JSON-P string or number, from its JSON form; anything else (an object, an array) is no text. */
    private static String jsonText(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            return n != null && (n.isTextual() || n.isNumber()) ? n.asText() : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
