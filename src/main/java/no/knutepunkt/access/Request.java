package no.knutepunkt.access;

/**
 * Where a request came in, for the audit log.
 *
 * @param entryPoint    method and path, e.g. {@code GET /fhir/Observation} (never the query string,
 *                      which may hold a fødselsnummer), or a page, e.g. {@code page /kommune}
 * @param sourceAddress the client's address as the hub saw it
 */
public record Request(String entryPoint, String sourceAddress) {

    public static Request of(String method, String path, String sourceAddress) {
        return new Request(method + " " + path, sourceAddress);
    }
}
