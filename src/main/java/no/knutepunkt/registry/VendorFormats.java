package no.knutepunkt.registry;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;

/**
 * The payload formats the hub can read: by convention the mapping file for format F (under
 * camel-routes/vendors/) defines the route {@code vendor-F}. A vendor registered with a format
 * that has no mapping would have every message dead-lettered, so registration refuses it.
 */
@ApplicationScoped
class VendorFormats {

    private static final String ROUTE_PREFIX = "vendor-";

    private final CamelContext camel;

    VendorFormats(CamelContext camel) {
        this.camel = camel;
    }

    boolean isLoaded(String format) {
        return format != null && camel.getRoute(ROUTE_PREFIX + format) != null;
    }

    List<String> loaded() {
        return camel.getRoutes().stream()
                .map(Route::getRouteId)
                .filter(id -> id.startsWith(ROUTE_PREFIX))
                .map(id -> id.substring(ROUTE_PREFIX.length()))
                .sorted()
                .toList();
    }
}
