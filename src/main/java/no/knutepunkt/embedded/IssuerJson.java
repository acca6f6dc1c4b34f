package no.knutepunkt.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * JSON for the local issuer: one mapper for tokens, documents and files. Maps keep their order, so
 * claims and metadata come out in the order they were put, as in the design notes.
 */
final class IssuerJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private IssuerJson() {
    }

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not representable as JSON: " + e.getOriginalMessage(), e);
        }
    }

    static String writePretty(Object value) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not representable as JSON: " + e.getOriginalMessage(), e);
        }
    }

    static JsonNode read(String json, String what) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + what, e);
        }
    }

    /** A deep, mutable copy (LinkedHashMap, ArrayList) of a JSON value: claims handed out for tests to change. */
    static Object copy(Object value) {
        try {
            // Through bytes rather than convertValue, which may hand back the very same object.
            return MAPPER.readValue(MAPPER.writeValueAsBytes(value), Object.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("not representable as JSON: " + e.getMessage(), e);
        }
    }

    static <T> T convert(JsonNode node, Class<T> type) {
        return MAPPER.convertValue(node, type);
    }
}
