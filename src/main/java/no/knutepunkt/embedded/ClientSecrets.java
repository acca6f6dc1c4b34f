package no.knutepunkt.embedded;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The client secrets of the local issuer's clients: the hub's web client and the demo vendors'
 * systems. Made at the first start (32 random bytes, base64url) and kept in {@code clients.json}
 * (mode 600) beside the signing key, never in the repository; a client added to the users file
 * later gets its secret at the next start, and the others keep theirs.
 */
final class ClientSecrets {

    static final String FILE_NAME = "clients.json";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, String> secrets;

    private ClientSecrets(Map<String, String> secrets) {
        this.secrets = Map.copyOf(secrets);
    }

    static ClientSecrets loadOrCreate(Path dataDir, Collection<String> clientIds) {
        PrivateFiles.createDirectory(dataDir);
        Path file = dataDir.resolve(FILE_NAME);
        Map<String, String> secrets = new LinkedHashMap<>();
        if (Files.exists(file)) {
            JsonNode stored = IssuerJson.read(PrivateFiles.read(file), file.toString()).path("secrets");
            for (Map.Entry<String, JsonNode> entry : stored.properties()) {
                secrets.put(entry.getKey(), entry.getValue().asText());
            }
        }
        boolean added = false;
        for (String clientId : clientIds) {
            if (secrets.get(clientId) == null || secrets.get(clientId).isEmpty()) {
                secrets.put(clientId, newSecret());
                added = true;
            }
        }
        if (added) {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("description", "Client secrets of Knutepunkt's local OIDC issuer (demo and tests only). "
                    + "Made by the issuer; delete this file to have new ones made.");
            document.put("secrets", secrets);
            PrivateFiles.write(file, IssuerJson.writePretty(document) + "\n");
        }
        // Only clients registered now can authenticate; a removed client's secret stays in the file, unused.
        Map<String, String> registered = new LinkedHashMap<>();
        clientIds.forEach(clientId -> registered.put(clientId, secrets.get(clientId)));
        return new ClientSecrets(registered);
    }

    /** @throws IllegalArgumentException for a client the issuer does not know */
    String secret(String clientId) {
        String secret = secrets.get(clientId);
        if (secret == null) {
            throw new IllegalArgumentException("no such client: " + clientId);
        }
        return secret;
    }

    /** Compared in constant time, so a caller cannot find a secret byte by byte from response times. */
    boolean matches(String clientId, String presented) {
        String secret = secrets.get(clientId);
        return secret != null && presented != null
                && MessageDigest.isEqual(secret.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }

    private static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
