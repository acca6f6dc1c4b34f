package no.knutepunkt.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

import no.knutepunkt.registry.RegistryTestProfile;
import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.MosquittoBroker;
import no.knutepunkt.testing.MqttSession.Arrived;
import no.knutepunkt.testing.MqttSession;
import no.knutepunkt.testing.Tokens;

/**
 * A deployment's Mosquitto, as README and deploy/mosquitto describe it: the password file the hub
 * exports (plus the hub's own line, written by mosquitto_passwd as an operator would), the ACL file
 * deploy/mosquitto/acl, no anonymous clients. The reason codes asserted are what Mosquitto 2.0.11
 * answers an MQTT 5 client.
 */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
@TestProfile(RegistryTestProfile.class)
class MosquittoAccessControlTest {

    private static final String API = "/api/registry";
    private static final Path ACL = Path.of("deploy", "mosquitto", "acl");
    private static final Path MOSQUITTO_PASSWD = Path.of("/usr/bin/mosquitto_passwd");
    private static final String HUB = "knutepunkt-hub";

    private Path dir;
    private MosquittoBroker broker;
    private final String hubSecret = UUID.randomUUID().toString();
    private String a;
    private String b;
    private String secretA;
    private String secretB;

    @BeforeEach
    void startMosquittoWithTheExportedPasswordFile() throws Exception {
        assumeTrue(MosquittoBroker.installed() && Files.isExecutable(MOSQUITTO_PASSWD), "Mosquitto is not installed (Debian package mosquitto)");
        a = vendor();
        b = vendor();
        secretA = issue(a);
        secretB = issue(b);
        dir = Files.createTempDirectory("mosquitto-access-");
        exportPasswordFile();
        broker = MosquittoBroker.withAccessControl(dir.resolve("mosquitto"), dir.resolve("passwd"), ACL);
        broker.start();
    }

    @AfterEach
    void stopMosquitto() throws IOException {
        if (broker != null) {
            broker.stop();
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void aVendorPublishesItsMeasurementsAndReadsItsReceipts() throws Exception {
        try (MqttSession hub = connect(HUB, hubSecret); MqttSession vendor = connect(a, secretA)) {
            assertThat(hub.subscribe("$share/knutepunkt/knutepunkt/v1/+/+/measurements")).as("the hub's shared subscription").isEqualTo(1);
            assertThat(vendor.subscribe("knutepunkt/v1/" + a + "/+/receipts")).isEqualTo(1);

            assertThat(vendor.publish("knutepunkt/v1/" + a + "/dev-1/measurements", "reading")).isZero();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> hub.received().contains(new Arrived("knutepunkt/v1/" + a + "/dev-1/measurements", "reading")));
            assertThat(hub.publish("knutepunkt/v1/" + a + "/dev-1/receipts", "receipt")).isZero();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> vendor.received().contains(new Arrived("knutepunkt/v1/" + a + "/dev-1/receipts", "receipt")));
        }
    }

    /** Mosquitto 2.0.11 answers every bad login with CONNACK 0x87 not authorized (not 0x86). */
    @Test
    void refusesAWrongSecretAnUnknownUserAndAnonymousAtConnect() throws Exception {
        assertThat(connectAnswer(a, secretA + "x")).isEqualTo(0x87);
        assertThat(connectAnswer(a, secretB)).as("another vendor's secret").isEqualTo(0x87);
        assertThat(connectAnswer("no-such-vendor", secretA)).isEqualTo(0x87);
        assertThat(connectAnswer(null, null)).isEqualTo(0x87);

        // Revoked, exported again, and Mosquitto restarted: A is out, B still in.
        asOperator().delete(API + "/vendors/" + a + "/mqtt-credentials").then().statusCode(204);
        exportPasswordFile();
        broker.restart();
        assertThat(connectAnswer(a, secretA)).isEqualTo(0x87);
        assertThat(connectAnswer(b, secretB)).isZero();
    }

    /**
     * Mosquitto 2.0.11 answers an MQTT 5 QoS 1 publish the ACL denies with PUBACK 0x87 not authorized,
     * keeps the client connected, and delivers nothing.
     */
    @Test
    void aVendorPublishingUnderAnotherVendorsIdGetsPubackNotAuthorizedAndNothingIsDelivered() throws Exception {
        try (MqttSession hub = connect(HUB, hubSecret); MqttSession vendorA = connect(a, secretA); MqttSession vendorB = connect(b, secretB)) {
            assertThat(hub.subscribe("knutepunkt/v1/" + b + "/+/measurements")).isEqualTo(1);

            assertThat(vendorA.publish("knutepunkt/v1/" + b + "/dev-1/measurements", "forged")).isEqualTo(0x87);
            assertThat(vendorA.publish("knutepunkt/v1/" + a + "/dev-1/receipts", "forged receipt")).isEqualTo(0x87);
            assertThat(vendorA.isConnected()).as("refused, not disconnected").isTrue();

            assertThat(vendorB.publish("knutepunkt/v1/" + b + "/dev-1/measurements", "genuine")).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> hub.received().stream().anyMatch(m -> m.payload().equals("genuine")));
            assertThat(hub.received()).extracting(Arrived::payload).containsExactly("genuine");
        }
    }

    /**
     * Mosquitto 2.0.11 with an acl_file grants every subscription (SUBACK 1, whatever the filter) and
     * applies the ACL to each message it would deliver: A, subscribed to B's receipts, to every
     * vendor's and to #, receives its own receipts only. (Its dynamic-security plugin can refuse the
     * subscription itself with SUBACK 0x87; the ACL file cannot.)
     */
    @Test
    void aVendorSubscribedToAnotherVendorsReceiptsIsGrantedButReceivesOnlyItsOwn() throws Exception {
        try (MqttSession hub = connect(HUB, hubSecret); MqttSession vendorA = connect(a, secretA)) {
            assertThat(vendorA.subscribe("knutepunkt/v1/" + b + "/+/receipts")).as("granted, QoS 1").isEqualTo(1);
            assertThat(vendorA.subscribe("knutepunkt/v1/+/+/receipts")).isEqualTo(1);
            assertThat(vendorA.subscribe("#")).isEqualTo(1);

            assertThat(hub.publish("knutepunkt/v1/" + b + "/dev-1/receipts", "for B")).isZero();
            assertThat(hub.publish("knutepunkt/v1/" + a + "/dev-1/receipts", "for A")).isZero();

            // Receipts are delivered in order per publisher: once A's has arrived, B's would have.
            await().atMost(Duration.ofSeconds(10)).until(() -> vendorA.received().stream().anyMatch(m -> m.payload().equals("for A")));
            assertThat(vendorA.received()).extracting(Arrived::payload).containsOnly("for A");
            assertThat(vendorA.isConnected()).isTrue();
        }
    }

    @Test
    void theHubReadsMeasurementsAndWritesReceiptsOnly() throws Exception {
        try (MqttSession hub = connect(HUB, hubSecret); MqttSession vendorA = connect(a, secretA)) {
            assertThat(hub.subscribe("knutepunkt/v1/+/+/receipts")).as("granted; nothing is delivered").isEqualTo(1);
            assertThat(hub.publish("knutepunkt/v1/" + a + "/dev-1/measurements", "x")).isEqualTo(0x87);
            assertThat(vendorA.subscribe("knutepunkt/v1/" + a + "/+/receipts")).isEqualTo(1);
            assertThat(hub.publish("knutepunkt/v1/" + a + "/dev-1/receipts", "receipt")).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> vendorA.received().stream().anyMatch(m -> m.payload().equals("receipt")));
            assertThat(hub.received()).as("the hub's own receipt, not read back").isEmpty();
        }
    }

    /** As an operator would: the hub's export, then the hub's own line added with mosquitto_passwd. */
    private void exportPasswordFile() throws Exception {
        String exported = asOperator().get(API + "/mqtt/mosquitto-passwd").then().statusCode(200).extract().asString();
        Path passwd = dir.resolve("passwd");
        Files.writeString(passwd, exported, StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(MOSQUITTO_PASSWD.toString(), "-b", passwd.toString(), HUB, hubSecret).redirectErrorStream(true).start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
    }

    private MqttSession connect(String user, String secret) throws Exception {
        return MqttSession.connect(broker.url(), user + "-" + UUID.randomUUID(), user, secret);
    }

    private int connectAnswer(String user, String secret) {
        return MqttSession.connectAnswer(broker.url(), "c-" + UUID.randomUUID(), user, secret);
    }

    private static String vendor() {
        String id = "mosq-" + UUID.randomUUID().toString().substring(0, 8);
        asOperator().contentType(ContentType.JSON).body(Map.of("id", id, "name", "Vendor " + id, "format", "testformat"))
                .post(API + "/vendors").then().statusCode(201);
        return id;
    }

    private static String issue(String vendor) {
        return asOperator().post(API + "/vendors/" + vendor + "/mqtt-credentials").then().statusCode(201).extract().path("secret");
    }

    private static io.restassured.specification.RequestSpecification asOperator() {
        return io.restassured.RestAssured.given().auth().oauth2(Tokens.operator());
    }
}
