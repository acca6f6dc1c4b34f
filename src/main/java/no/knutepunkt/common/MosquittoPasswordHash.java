package no.knutepunkt.common;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.spec.InvalidKeySpecException;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A broker password hash in Mosquitto's password-file format {@code $7$<iterations>$<salt>$<hash>}:
 * PBKDF2-HMAC-SHA512 over the secret's UTF-8 bytes, a 12-byte salt and a 64-byte result, both in
 * standard base64 (what {@code mosquitto_passwd} writes). One stored hash serves the embedded broker's
 * check and a Mosquitto password file alike, so a vendor's secret is never kept anywhere in clear.
 * <p>
 * Shared by the registry (which issues and exports credentials) and the embedded broker (which checks
 * them before Quarkus runs), hence here and free of CDI.
 */
public final class MosquittoPasswordHash {

    /**
     * Mosquitto 2.0's own default. The secrets we hash are 256 random bits, so no iteration count
     * makes guessing them any harder than it already is; what the count does buy is cost on every
     * CONNECT: Mosquitto verifies on its single network thread, and a flood of failed logins would
     * spend its CPU. 101 keeps one check well under a millisecond while staying the format's
     * customary value.
     */
    public static final int ITERATIONS = 101;

    private static final int SALT_BYTES = 12;
    private static final int HASH_BYTES = 64;
    /** Far above anything written by us or mosquitto_passwd; bounds the work a forged stored value can cause. */
    private static final int MAX_ITERATIONS = 1_000_000;
    private static final Pattern FORMAT = Pattern.compile("\\$7\\$([1-9][0-9]{0,6})\\$([A-Za-z0-9+/=]+)\\$([A-Za-z0-9+/=]+)");
    private static final SecureRandom RANDOM = new SecureRandom();

    private MosquittoPasswordHash() {
    }

    /** A new hash of the secret, with a fresh random salt. */
    public static String hash(String secret) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return format(ITERATIONS, salt, pbkdf2(secret, salt, ITERATIONS, HASH_BYTES));
    }

    /**
     * Whether the secret is the one the stored hash was made from. Any stored value that is not a
     * well-formed {@code $7$} hash matches nothing. The comparison takes the same time wherever the
     * bytes differ.
     */
    public static boolean matches(String secret, String stored) {
        // Empty: never issued, and the JDK's PBKDF2 refuses an empty password.
        if (secret == null || secret.isEmpty() || stored == null) {
            return false;
        }
        Matcher m = FORMAT.matcher(stored);
        if (!m.matches()) {
            return false;
        }
        int iterations = Integer.parseInt(m.group(1));
        byte[] salt;
        byte[] expected;
        try {
            salt = Base64.getDecoder().decode(m.group(2));
            expected = Base64.getDecoder().decode(m.group(3));
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (iterations > MAX_ITERATIONS || salt.length == 0 || expected.length != HASH_BYTES) {
            return false;
        }
        return MessageDigest.isEqual(pbkdf2(secret, salt, iterations, HASH_BYTES), expected);
    }

    /** Whether the value has the shape of a hash this class writes or reads. */
    public static boolean isWellFormed(String stored) {
        return stored != null && FORMAT.matcher(stored).matches();
    }

    static String format(int iterations, byte[] salt, byte[] hash) {
        Base64.Encoder b64 = Base64.getEncoder();
        return "$7$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
    }

    /** The JDK's PBKDF2 encodes the password's chars as UTF-8, as Mosquitto hashes the bytes that arrive in CONNECT. */
    static byte[] pbkdf2(String secret, byte[] salt, int iterations, int length) {
        PBEKeySpec spec = new PBEKeySpec(secret.toCharArray(), salt, iterations, length * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(spec).getEncoded();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA512 is part of every JDK", e);
        } catch (InvalidKeySpecException e) {
            throw new IllegalArgumentException("not a secret PBKDF2 can hash", e);
        } finally {
            spec.clearPassword();
        }
    }
}
