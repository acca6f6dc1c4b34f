package no.knutepunkt.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import no.knutepunkt.embedded.LocalIssuer.Settings;

/** The signing key and client secrets: made once, private, the same after a restart. */
class LocalIssuerKeysTest {

    @TempDir
    Path tmp;

    @Test
    void theKeyAndSecretsSurviveARestartAndOnlyTheOwnerCanReadThem() throws Exception {
        Path dataDir = tmp.resolve("not-yet/issuer");
        Settings settings = Settings.of(0, dataDir, DemoUsersTest.FILE);

        String keyId;
        String webSecret;
        String vendorSecret;
        String token;
        try (LocalIssuer first = LocalIssuer.start(settings)) {
            keyId = first.keyId();
            webSecret = first.clientSecret(LocalIssuer.WEB_CLIENT_ID);
            vendorSecret = first.clientSecret("knutepunkt-vendor-nordic-telecare");
            token = first.token("nurse");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir))).isEqualTo("rwx------");
        assertThat(mode(dataDir.resolve("signing-key.json"))).isEqualTo("rw-------");
        assertThat(mode(dataDir.resolve("clients.json"))).isEqualTo("rw-------");
        assertThat(Files.readString(dataDir.resolve("signing-key.json"))).contains("\"d\"").contains(keyId);
        assertThat(webSecret).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(vendorSecret);

        try (LocalIssuer second = LocalIssuer.start(settings)) {
            assertThat(second.keyId()).isEqualTo(keyId);
            assertThat(second.clientSecret(LocalIssuer.WEB_CLIENT_ID)).isEqualTo(webSecret);
            assertThat(second.clientSecret("knutepunkt-vendor-nordic-telecare")).isEqualTo(vendorSecret);
            JwtClaims claims = new JwtConsumerBuilder().setVerificationKey(second.publicKey())
                    .setExpectedAudience("nhn:knutepunkt").build().processToClaims(token);
            assertThat(claims.getClaimValue("name")).as("a token of the first start verifies after the restart")
                    .isEqualTo("Sara Sykepleier");
        }
    }

    @Test
    void aNewDataDirGetsANewKey() {
        String first;
        try (LocalIssuer issuer = LocalIssuer.start(Settings.of(0, tmp.resolve("a"), DemoUsersTest.FILE))) {
            first = issuer.keyId();
        }
        try (LocalIssuer issuer = LocalIssuer.start(Settings.of(0, tmp.resolve("b"), DemoUsersTest.FILE))) {
            assertThat(issuer.keyId()).isNotEqualTo(first);
        }
    }

    @Test
    void aKeyFileMadeReadableByOthersIsNarrowedAgain() throws IOException {
        Path dataDir = tmp.resolve("issuer");
        LocalIssuer.start(Settings.of(0, dataDir, DemoUsersTest.FILE)).stop();
        Files.setPosixFilePermissions(dataDir.resolve("signing-key.json"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(dataDir.resolve("clients.json"), PosixFilePermissions.fromString("rw-rw-rw-"));

        LocalIssuer.start(Settings.of(0, dataDir, DemoUsersTest.FILE)).stop();

        assertThat(mode(dataDir.resolve("signing-key.json"))).isEqualTo("rw-------");
        assertThat(mode(dataDir.resolve("clients.json"))).isEqualTo("rw-------");
    }

    private static String mode(Path file) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }
}
