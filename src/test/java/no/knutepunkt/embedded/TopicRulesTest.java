package no.knutepunkt.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TopicRulesTest {

    private static final BrokerAccount ACME = BrokerAccount.vendor("acme");
    private static final BrokerAccount HUB = BrokerAccount.hub("knutepunkt-hub");

    @Test
    void aVendorPublishesOnlyItsOwnMeasurements() {
        assertThat(TopicRules.mayPublish(ACME, "knutepunkt/v1/acme/AC-1/measurements")).isTrue();
        // The hub judges a device id (and answers with a receipt); the broker only keeps vendors apart.
        assertThat(TopicRules.mayPublish(ACME, "knutepunkt/v1/acme/" + "x".repeat(65) + "/measurements")).isTrue();

        assertThat(TopicRules.mayPublish(ACME, "knutepunkt/v1/nordic/AC-1/measurements")).isFalse();
        assertThat(TopicRules.mayPublish(ACME, "knutepunkt/v1/acme/AC-1/receipts")).isFalse();
        assertThat(TopicRules.mayPublish(ACME, "knutepunkt/v1/acme/AC-1/measurements/extra")).isFalse();
        assertThat(TopicRules.mayPublish(ACME, "knutepunkt/v2/acme/AC-1/measurements")).isFalse();
        assertThat(TopicRules.mayPublish(ACME, "knutepunkt/v1/acmex/AC-1/measurements")).isFalse();
        assertThat(TopicRules.mayPublish(ACME, "elsewhere")).isFalse();
    }

    @Test
    void aVendorSubscribesOnlyToItsOwnReceipts() {
        assertThat(TopicRules.maySubscribe(ACME, "knutepunkt/v1/acme/+/receipts")).isTrue();
        assertThat(TopicRules.maySubscribe(ACME, "knutepunkt/v1/acme/AC-1/receipts")).isTrue();
        assertThat(TopicRules.maySubscribe(ACME, "$share/cloud/knutepunkt/v1/acme/+/receipts")).isTrue();

        assertThat(TopicRules.maySubscribe(ACME, "knutepunkt/v1/+/+/receipts")).isFalse();
        assertThat(TopicRules.maySubscribe(ACME, "knutepunkt/v1/nordic/+/receipts")).isFalse();
        assertThat(TopicRules.maySubscribe(ACME, "knutepunkt/v1/acme/#")).isFalse();
        assertThat(TopicRules.maySubscribe(ACME, "#")).isFalse();
        assertThat(TopicRules.maySubscribe(ACME, "knutepunkt/v1/acme/+/measurements")).isFalse();
        assertThat(TopicRules.maySubscribe(ACME, "$share/cloud/knutepunkt/v1/+/+/receipts")).isFalse();
        assertThat(TopicRules.maySubscribe(ACME, "$share//knutepunkt/v1/acme/+/receipts")).as("empty share name").isFalse();
        assertThat(TopicRules.maySubscribe(ACME, "knutepunkt/v1/acme/AC+1/receipts")).isFalse();
    }

    @Test
    void theHubReadsMeasurementsAndWritesReceipts() {
        assertThat(TopicRules.maySubscribe(HUB, "$share/knutepunkt/knutepunkt/v1/+/+/measurements")).isTrue();
        assertThat(TopicRules.maySubscribe(HUB, "knutepunkt/v1/+/+/measurements")).isTrue();
        assertThat(TopicRules.mayPublish(HUB, "knutepunkt/v1/acme/AC-1/receipts")).isTrue();

        assertThat(TopicRules.maySubscribe(HUB, "knutepunkt/v1/+/+/receipts")).isFalse();
        assertThat(TopicRules.maySubscribe(HUB, "#")).isFalse();
        assertThat(TopicRules.mayPublish(HUB, "knutepunkt/v1/acme/AC-1/measurements")).isFalse();
    }
}
