package no.knutepunkt.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

import no.knutepunkt.registry.VendorCredentials;

/**
 * The hub's own login on the embedded broker: user name {@code knutepunkt-hub} and a secret made on
 * the broker's first start, kept in its data dir (readable by this user only) so that the hub's
 * persistent sessions keep working across restarts. Nobody needs to know it: KnutepunktMain hands
 * it to the hub in-process.
 */
public record HubAccount(String username, String secret) {

    static final String FILE = "hub-secret";

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Reads the secret from {@code dir/hub-secret}, creating it (32 random bytes, mode 600) the first time. */
    static HubAccount inDataDir(Path dir) {
        Path file = dir.resolve(FILE);
        try {
            Files.createDirectories(dir);
            try {
                byte[] bytes = new byte[32];
                RANDOM.nextBytes(bytes);
                // Created with its final permissions, so the secret is never readable by others, not even briefly.
                Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                Files.writeString(file, Base64.getUrlEncoder().withoutPadding().encodeToString(bytes) + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.TRUNCATE_EXISTING);
            } catch (FileAlreadyExistsException kept) {
                // Made on an earlier start; it may have been copied around with looser permissions.
                Files.setPosixFilePermissions(file, OWNER_ONLY);
            }
            String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (secret.isEmpty()) {
                throw new IllegalStateException(file + " is empty; delete it and the broker makes a new one");
            }
            return new HubAccount(VendorCredentials.HUB_ACCOUNT, secret);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the hub's broker secret " + file, e);
        }
    }

    /** Compared in constant time. */
    boolean accepts(String password) {
        return password != null
                && MessageDigest.isEqual(secret.getBytes(StandardCharsets.UTF_8), password.getBytes(StandardCharsets.UTF_8));
    }

    /** Never the secret. */
    @Override
    public String toString() {
        return "HubAccount[" + username + "]";
    }
}
