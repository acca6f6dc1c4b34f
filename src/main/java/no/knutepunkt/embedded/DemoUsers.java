package no.knutepunkt.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import no.knutepunkt.embedded.LocalIssuer.Realm;

/**
 * The local issuer's demo users and vendor clients, read from a data file
 * ({@code deploy/seed/demo-users.json}): who can log in, in which realm, and the identity claims
 * their tokens carry. A new demo user is a new entry there, not code.
 * <p>
 * The file is checked as it is read, so a typo fails the start rather than minting a token the hub
 * then refuses for reasons nobody can see.
 */
final class DemoUsers {

    private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    /** Set by the issuer itself; a file that tried to would mint tokens unlike the real providers'. */
    private static final Set<String> RESERVED_CLAIMS = Set.of("iss", "aud", "sub", "exp", "iat", "nbf", "jti",
            "client_id", "scope", "nonce", "auth_time", "azp");

    /**
     * One person (no client id: they log in through the hub's web client) or one vendor system
     * (its own client id, client_credentials).
     *
     * @param organisation display text for the chooser; null for a citizen
     * @param scope space-separated; the role scope decides the hub role
     * @param claims the identity claims of its access tokens, in order
     */
    record DemoUser(String key, Realm realm, String clientId, String name, String givenName, String familyName,
            String role, String organisation, String scope, Map<String, Object> claims) {

        DemoUser {
            claims = Collections.unmodifiableMap(new LinkedHashMap<>(claims));
        }

        boolean isClient() {
            return clientId != null;
        }

        List<String> scopes() {
            return Arrays.asList(scope.split(" "));
        }
    }

    private final Map<String, DemoUser> byKey;

    private DemoUsers(Map<String, DemoUser> byKey) {
        this.byKey = byKey;
    }

    static DemoUsers read(Path file) {
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the demo users file " + file.toAbsolutePath(), e);
        }
        JsonNode root = IssuerJson.read(json, file.toString());
        Map<String, DemoUser> users = new LinkedHashMap<>();
        Set<String> clientIds = new LinkedHashSet<>();
        for (JsonNode entry : root.path("users")) {
            add(users, person(entry, file));
        }
        for (JsonNode entry : root.path("clients")) {
            DemoUser client = client(entry, file);
            if (client.clientId().equals(LocalIssuer.WEB_CLIENT_ID) || !clientIds.add(client.clientId())) {
                throw invalid(file, client.key(), "clientId " + client.clientId() + " is taken");
            }
            add(users, client);
        }
        if (users.isEmpty()) {
            throw new IllegalArgumentException(file + " lists no users");
        }
        return new DemoUsers(Collections.unmodifiableMap(users));
    }

    /** Every entry, people first, in file order. */
    List<DemoUser> all() {
        List<DemoUser> all = new ArrayList<>(byKey.values());
        all.sort((a, b) -> Boolean.compare(a.isClient(), b.isClient()));
        return all;
    }

    Optional<DemoUser> byKey(String key) {
        return Optional.ofNullable(key == null ? null : byKey.get(key));
    }

    /** The people who can log in to {@code realm}, in file order: the chooser's list. */
    List<DemoUser> people(Realm realm) {
        return all().stream().filter(u -> !u.isClient() && u.realm() == realm).toList();
    }

    Optional<DemoUser> client(Realm realm, String clientId) {
        return byKey.values().stream()
                .filter(u -> u.isClient() && u.realm() == realm && u.clientId().equals(clientId))
                .findFirst();
    }

    List<String> clientIds() {
        return all().stream().filter(DemoUser::isClient).map(DemoUser::clientId).toList();
    }

    /** Every scope a token of {@code realm} can carry, for the discovery document. */
    Set<String> scopes(Realm realm) {
        Set<String> scopes = new LinkedHashSet<>(List.of("openid", "profile"));
        all().stream().filter(u -> u.realm() == realm).forEach(u -> scopes.addAll(u.scopes()));
        return scopes;
    }

    private static DemoUser person(JsonNode entry, Path file) {
        String key = key(entry, file);
        return new DemoUser(key, realm(entry, file, key), null, text(entry, "name", file, key),
                text(entry, "givenName", file, key), text(entry, "familyName", file, key),
                text(entry, "role", file, key), optionalText(entry, "organisation"),
                scope(entry, file, key), claims(entry, file, key));
    }

    private static DemoUser client(JsonNode entry, Path file) {
        String key = key(entry, file);
        Realm realm = realm(entry, file, key);
        if (realm != Realm.HELSEID) {
            // Machine clients exist only in HelseID; ID-porten logs in citizens.
            throw invalid(file, key, "a client (client_credentials) belongs to the helseid realm");
        }
        return new DemoUser(key, realm, text(entry, "clientId", file, key), text(entry, "name", file, key),
                null, null, text(entry, "role", file, key), optionalText(entry, "organisation"),
                scope(entry, file, key), claims(entry, file, key));
    }

    private static void add(Map<String, DemoUser> users, DemoUser user) {
        if (users.putIfAbsent(user.key(), user) != null) {
            throw new IllegalArgumentException("two demo users have the key " + user.key());
        }
    }

    private static String key(JsonNode entry, Path file) {
        String key = entry.path("key").asText("");
        if (!KEY.matcher(key).matches()) {
            throw invalid(file, key, "a key is lower-case letters, digits and hyphens");
        }
        return key;
    }

    private static Realm realm(JsonNode entry, Path file, String key) {
        String realm = text(entry, "realm", file, key);
        return Realm.of(realm).orElseThrow(() -> invalid(file, key, "unknown realm " + realm));
    }

    private static String scope(JsonNode entry, Path file, String key) {
        String scope = text(entry, "scope", file, key);
        if (!scope.equals(scope.strip()) || scope.contains("  ")) {
            throw invalid(file, key, "scope values are separated by single spaces");
        }
        return scope;
    }

    private static Map<String, Object> claims(JsonNode entry, Path file, String key) {
        JsonNode claims = entry.path("claims");
        if (!claims.isObject()) {
            throw invalid(file, key, "claims must be an object");
        }
        Map<String, Object> result = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> claim : claims.properties()) {
            if (RESERVED_CLAIMS.contains(claim.getKey())) {
                throw invalid(file, key, "claim " + claim.getKey() + " is set by the issuer");
            }
            result.put(claim.getKey(), IssuerJson.convert(claim.getValue(), Object.class));
        }
        return result;
    }

    private static String text(JsonNode entry, String field, Path file, String key) {
        String value = optionalText(entry, field);
        if (value == null || value.isBlank()) {
            throw invalid(file, key, field + " is missing");
        }
        return value;
    }

    private static String optionalText(JsonNode entry, String field) {
        JsonNode value = entry.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static IllegalArgumentException invalid(Path file, String key, String problem) {
        return new IllegalArgumentException(file + ", user " + key + ": " + problem);
    }
}
