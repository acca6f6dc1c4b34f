package no.knutepunkt.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

import no.knutepunkt.registry.RegistryTestProfile;
import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.MqttSession.Arrived;
import no.knutepunkt.testing.MqttSession;
import no.knutepunkt.testing.Tokens;

/**
 * The embedded HiveMQ with its access control, against the hub's registry: vendors log in with the
 * credentials the operator API issues, use their own topics only, and every refusal is counted where
 * the hub shows it (the counter and {@code GET /status}). The reason codes asserted are what HiveMQ CE
 * 2025.5 answers an MQTT 5 client.
 */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
@TestProfile(RegistryTestProfile.class)
class EmbeddedBrokerAccessTest {

    private static final String API = "/api/registry";

    private static Path dir;
    private static EmbeddedBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        dir = Files.createTempDirectory("embedded-broker-access-");
        broker = EmbeddedBroker.withAccessControl(dir, 0,
                new AccountDatabase(HubTestResource.jdbcUrl(), HubTestResource.dbUser(), HubTestResource.dbPassword()));
        broker.start();
    }

    @AfterAll
    static void stopBroker() throws IOException {
        broker.stop();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void keepsTheHubsSecretInTheDataDirForItsOwnerOnly() throws Exception {
        Path file = dir.resolve("hub-secret");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file).strip()).isEqualTo(hub().secret()).hasSizeGreaterThanOrEqualTo(43);
        assertThat(hub().toString()).doesNotContain(hub().secret());
    }

    @Test
    void aVendorPublishesItsMeasurementsAndReadsItsReceipts() throws Exception {
        String a = vendor();
        String secret = issue(a);
        try (MqttSession hubSession = connectHub();
                MqttSession vendor = MqttSession.connect(broker.url(), "a-" + UUID.randomUUID(), a, secret)) {
            assertThat(hubSession.subscribe("$share/test-" + a + "/knutepunkt/v1/+/+/measurements")).as("hub, shared").isEqualTo(1);
            assertThat(vendor.subscribe("knutepunkt/v1/" + a + "/+/receipts")).isEqualTo(1);

            assertThat(vendor.publish("knutepunkt/v1/" + a + "/dev-1/measurements", "reading-" + a)).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> hubSession.received().contains(
                    new Arrived("knutepunkt/v1/" + a + "/dev-1/measurements", "reading-" + a)));
            assertThat(hubSession.publish("knutepunkt/v1/" + a + "/dev-1/receipts", "receipt-" + a)).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> vendor.received().contains(
                    new Arrived("knutepunkt/v1/" + a + "/dev-1/receipts", "receipt-" + a)));
        }
    }

    @Test
    void refusesAtConnectWhoeverIsNotAVendorWithItsActiveSecret() {
        String a = vendor();
        String secret = issue(a);
        long vendorBefore = BrokerRefusals.count(BrokerRefusals.CONNECT_REFUSED, a);
        long unknownBefore = BrokerRefusals.count(BrokerRefusals.CONNECT_REFUSED, BrokerRefusals.UNKNOWN);

        assertThat(connectAnswer(a, secret + "x")).as("wrong secret: 0x86 bad user name or password").isEqualTo(0x86);
        assertThat(connectAnswer("no-such-vendor-" + a, secret)).as("not a vendor").isEqualTo(0x86);
        assertThat(connectAnswer(null, null)).as("anonymous: 0x87 not authorized").isEqualTo(0x87);
        assertThat(connectAnswer(hub().username(), "guess")).as("the hub's account, wrong secret").isEqualTo(0x86);
        String rotated = issue(a);
        assertThat(connectAnswer(a, secret)).as("rotated away").isEqualTo(0x86);
        assertThat(connectAnswer(a, rotated)).isZero();
        asOperator().delete(API + "/vendors/" + a + "/mqtt-credentials").then().statusCode(204);
        assertThat(connectAnswer(a, rotated)).as("revoked").isEqualTo(0x86);

        assertThat(BrokerRefusals.count(BrokerRefusals.CONNECT_REFUSED, a) - vendorBefore).isEqualTo(3);
        assertThat(BrokerRefusals.count(BrokerRefusals.CONNECT_REFUSED, BrokerRefusals.UNKNOWN) - unknownBefore).isEqualTo(2);
    }

    /**
     * HiveMQ CE answers a refused MQTT 5 QoS 1 PUBLISH with PUBACK 0x87 and then ends the connection
     * with DISCONNECT 0x87, whatever the authorizer asks (its IncomingPublishService always disconnects
     * after a refusal); an MQTT 3 client is only disconnected. Paho sometimes sees the DISCONNECT
     * before the PUBACK, so the answer is one of the two.
     */
    @Test
    void aVendorPublishingUnderAnotherVendorsIdIsRefusedDisconnectedAndNothingIsDelivered() throws Exception {
        String a = vendor();
        String b = vendor();
        String secretA = issue(a);
        long before = BrokerRefusals.count(BrokerRefusals.PUBLISH_DENIED, a);
        try (MqttSession hubSession = connectHub()) {
            assertThat(hubSession.subscribe("knutepunkt/v1/" + b + "/+/measurements")).isEqualTo(1);
            assertThat(hubSession.subscribe("knutepunkt/v1/" + a + "/+/receipts")).as("the hub may not read receipts").isEqualTo(0x87);

            for (String forged : new String[] { "knutepunkt/v1/" + b + "/dev-1/measurements", "knutepunkt/v1/" + a + "/dev-1/receipts",
                    "somewhere/else" }) {
                try (MqttSession vendorA = MqttSession.connect(broker.url(), "a-" + UUID.randomUUID(), a, secretA)) {
                    assertThat(vendorA.publish(forged, "forged")).as(forged).isIn(0x87, MqttSession.DISCONNECTED);
                    await().atMost(Duration.ofSeconds(10)).until(() -> !vendorA.isConnected());
                    assertThat(vendorA.disconnectReason()).as("DISCONNECT 0x87 not authorized").isEqualTo(0x87);
                }
            }

            // Nothing slipped through: B's genuine message arrives, the forged one never did.
            try (MqttSession vendorB = MqttSession.connect(broker.url(), "b-" + UUID.randomUUID(), b, issue(b))) {
                assertThat(vendorB.publish("knutepunkt/v1/" + b + "/dev-1/measurements", "genuine")).isZero();
                await().atMost(Duration.ofSeconds(10)).until(() -> hubSession.received().stream().anyMatch(m -> m.payload().equals("genuine")));
            }
            assertThat(hubSession.received()).extracting(Arrived::payload).containsExactly("genuine");
        }
        assertThat(BrokerRefusals.count(BrokerRefusals.PUBLISH_DENIED, a) - before).isEqualTo(3);
    }

    @Test
    void aVendorSubscribingToAnotherVendorsReceiptsGetsSubackNotAuthorized() throws Exception {
        String a = vendor();
        String b = vendor();
        long before = BrokerRefusals.count(BrokerRefusals.SUBSCRIBE_DENIED, a);
        try (MqttSession vendorA = MqttSession.connect(broker.url(), "a-" + UUID.randomUUID(), a, issue(a))) {
            assertThat(vendorA.subscribe("knutepunkt/v1/" + b + "/+/receipts")).as("SUBACK 0x87 not authorized").isEqualTo(0x87);
            assertThat(vendorA.subscribe("knutepunkt/v1/+/+/receipts")).isEqualTo(0x87);
            assertThat(vendorA.subscribe("#")).isEqualTo(0x87);
            assertThat(vendorA.subscribe("knutepunkt/v1/" + a + "/#")).isEqualTo(0x87);
            assertThat(vendorA.subscribe("knutepunkt/v1/" + a + "/+/measurements")).as("not even its own measurements").isEqualTo(0x87);
            assertThat(vendorA.subscribe("knutepunkt/v1/" + a + "/dev-1/receipts")).isEqualTo(1);
            assertThat(vendorA.isConnected()).isTrue();
        }
        assertThat(BrokerRefusals.count(BrokerRefusals.SUBSCRIBE_DENIED, a) - before).isEqualTo(5);
    }

    @Test
    void theHubMayOnlyReadMeasurementsAndWriteReceipts() throws Exception {
        String hubName = hub().username();
        long published = BrokerRefusals.count(BrokerRefusals.PUBLISH_DENIED, hubName);
        long subscribed = BrokerRefusals.count(BrokerRefusals.SUBSCRIBE_DENIED, hubName);
        try (MqttSession hubSession = connectHub()) {
            assertThat(hubSession.subscribe("knutepunkt/v1/+/+/receipts")).isEqualTo(0x87);
            assertThat(hubSession.subscribe("#")).isEqualTo(0x87);
            assertThat(hubSession.subscribe("knutepunkt/v1/+/+/measurements")).isEqualTo(1);
            assertThat(hubSession.subscribe("$share/g/knutepunkt/v1/+/+/measurements")).isEqualTo(1);
            assertThat(hubSession.publish("knutepunkt/v1/acme/dev-1/measurements", "x")).isIn(0x87, MqttSession.DISCONNECTED);
        }
        assertThat(BrokerRefusals.count(BrokerRefusals.PUBLISH_DENIED, hubName) - published).isEqualTo(1);
        assertThat(BrokerRefusals.count(BrokerRefusals.SUBSCRIBE_DENIED, hubName) - subscribed).isEqualTo(2);
    }

    @Test
    void showsTheRefusalsAsACounterAndInTheStatus() throws Exception {
        String a = vendor();
        try (MqttSession vendorA = MqttSession.connect(broker.url(), "a-" + UUID.randomUUID(), a, issue(a))) {
            assertThat(vendorA.publish("knutepunkt/v1/other/dev-1/measurements", "x")).isIn(0x87, MqttSession.DISCONNECTED);
        }
        connectAnswer("stranger-" + UUID.randomUUID(), "x");

        String metrics = asOperator().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("knutepunkt_broker_refusals_total{reason=\"publish-denied\",vendor=\"" + a + "\"} 1.0")
                .containsPattern("knutepunkt_broker_refusals_total\\{reason=\"connect-refused\",vendor=\"unknown\"} [1-9]")
                .doesNotContain("stranger-");
        asOperator().get("/status").then().statusCode(200)
                .body("broker.refusals.publish-denied." + a, org.hamcrest.Matchers.equalTo(1))
                .body("broker.refusals.connect-refused.unknown", org.hamcrest.Matchers.greaterThanOrEqualTo(1))
                .body("broker.refusals", org.hamcrest.Matchers.hasKey("subscribe-denied"));
    }

    private static HubAccount hub() {
        return broker.hubAccount().orElseThrow();
    }

    private static MqttSession connectHub() throws Exception {
        return MqttSession.connect(broker.url(), "hub-" + UUID.randomUUID(), hub().username(), hub().secret());
    }

    private static int connectAnswer(String username, String password) {
        return MqttSession.connectAnswer(broker.url(), "c-" + UUID.randomUUID(), username, password);
    }

    private static String vendor() {
        String id = "broker-" + UUID.randomUUID().toString().substring(0, 8);
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
