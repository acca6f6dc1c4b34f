package no.knutepunkt.registry;

import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.JsonNode;

import no.knutepunkt.access.Caller;
import no.knutepunkt.access.Role;
import no.knutepunkt.registry.VendorRegister.NewVendor;
import no.knutepunkt.registry.VendorRegister.RegisteredVendor;

/** Device vendors, each with its message format and the OAuth client of its HTTPS intake: the operator's. */
@Path("/api/registry/vendors")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Registry")
public class VendorResource {

    private static final String TYPE = "vendor";

    private final Transactions tx;
    private final VendorRegister vendors;
    private final Vendors lookups;
    private final RegistryAccess access;

    VendorResource(Transactions tx, VendorRegister vendors, Vendors lookups, RegistryAccess access) {
        this.tx = tx;
        this.vendors = vendors;
        this.lookups = lookups;
        this.access = access;
    }

    @POST
    @Operation(summary = "Register a vendor (operator)")
    public Response create(NewVendor body) {
        Caller caller = access.requireAny("create", TYPE, Role.OPERATOR);
        RegisteredVendor v = tx.write(c -> {
            RegisteredVendor created = vendors.create(c, Requests.required(body));
            access.recordActionIn(c, caller, "create", TYPE, List.of(created.id()));
            return created;
        });
        return Requests.created("vendors/" + v.id(), v);
    }

    /** Body {@code {"oauthClientId": "..."}}; null removes it (the vendor can then not post over HTTPS). */
    @PATCH
    @Path("/{id}")
    @Operation(summary = "Set the OAuth client of a vendor's HTTPS intake (operator)")
    public RegisteredVendor change(@PathParam("id") String id, JsonNode body) {
        Caller caller = access.requireAny("update", TYPE, Role.OPERATOR);
        if (body == null || !body.isObject() || !body.has("oauthClientId")) {
            throw Problem.malformed("oauthClientId", "oauthClientId is required (null removes it)");
        }
        JsonNode client = body.get("oauthClientId");
        if (!client.isNull() && !client.isTextual()) {
            throw Problem.malformed("oauthClientId", "oauthClientId must be text or null");
        }
        RegisteredVendor v = tx.write(c -> {
            RegisteredVendor changed = vendors.setClient(c, id, client.isNull() ? null : client.asText());
            access.recordActionIn(c, caller, "update", TYPE, List.of(id));
            return changed;
        });
        lookups.forget(id);
        return v;
    }

    @GET
    @Operation(summary = "List vendors (operator, municipality admin)")
    public List<RegisteredVendor> list() {
        access.requireAny("search", TYPE, Role.OPERATOR, Role.MUNICIPALITY_ADMIN);
        return tx.read(vendors::list);
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One vendor (operator, municipality admin)")
    public RegisteredVendor one(@PathParam("id") String id) {
        access.requireAny("read", TYPE, Role.OPERATOR, Role.MUNICIPALITY_ADMIN);
        return tx.read(c -> vendors.find(c, id)).orElseThrow(() -> Problem.notFound("no such vendor"));
    }
}
