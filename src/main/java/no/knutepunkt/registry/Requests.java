package no.knutepunkt.registry;

import java.net.URI;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.UUID;

import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.JsonNode;

/** What the registry's resources read from a request the same way: bodies, ids in paths, times. */
final class Requests {

    private Requests() {
    }

    static <T> T required(T body) {
        if (body == null) {
            throw Problem.malformed(null, "a JSON body is required");
        }
        return body;
    }

    /** An id in the path that is not a UUID names nothing that exists. */
    static UUID pathId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw Problem.notFound("no such resource");
        }
    }

    static OffsetDateTime dateTime(String field, JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw Problem.malformed(field, field + " must be an ISO-8601 date-time with offset");
        }
        try {
            return Fields.stored(OffsetDateTime.parse(value.asText()));
        } catch (DateTimeParseException e) {
            throw Problem.malformed(field, field + " must be an ISO-8601 date-time with offset");
        }
    }

    static Response created(String path, Object entity) {
        return Response.created(URI.create("/api/registry/" + path)).entity(entity).build();
    }
}
