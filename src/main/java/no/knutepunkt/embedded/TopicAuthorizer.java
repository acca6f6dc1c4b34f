package no.knutepunkt.embedded;

import java.util.Optional;

import org.jboss.logging.Logger;

import com.hivemq.extension.sdk.api.auth.PublishAuthorizer;
import com.hivemq.extension.sdk.api.auth.SubscriptionAuthorizer;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;

/**
 * Applies {@link TopicRules} to every PUBLISH and SUBSCRIBE on the embedded broker, counting each
 * refusal. A refused MQTT 5 QoS 1 publish is answered with PUBACK 0x87 (not authorized) and the
 * client stays connected; a refused subscription gets SUBACK 0x87. What the rules allow goes on to
 * HiveMQ's default permissions ({@link DefaultPermissions}).
 */
final class TopicAuthorizer implements PublishAuthorizer, SubscriptionAuthorizer {

    private static final Logger LOG = Logger.getLogger(TopicAuthorizer.class);

    @Override
    public void authorizePublish(PublishAuthorizerInput input, PublishAuthorizerOutput output) {
        Optional<BrokerAccount> account = account(input.getConnectionInformation());
        String topic = input.getPublishPacket().getTopic();
        if (account.isPresent() && TopicRules.mayPublish(account.get(), topic)) {
            output.nextExtensionOrDefault();
            return;
        }
        String name = account.map(BrokerAccount::name).orElse(BrokerRefusals.UNKNOWN);
        BrokerRefusals.record(BrokerRefusals.PUBLISH_DENIED, name);
        LOG.debugf("broker refused a PUBLISH by %s", name);
        output.failAuthorization(AckReasonCode.NOT_AUTHORIZED, "not your topic");
    }

    @Override
    public void authorizeSubscribe(SubscriptionAuthorizerInput input, SubscriptionAuthorizerOutput output) {
        Optional<BrokerAccount> account = account(input.getConnectionInformation());
        if (account.isPresent() && TopicRules.maySubscribe(account.get(), input.getSubscription().getTopicFilter())) {
            output.nextExtensionOrDefault();
            return;
        }
        String name = account.map(BrokerAccount::name).orElse(BrokerRefusals.UNKNOWN);
        BrokerRefusals.record(BrokerRefusals.SUBSCRIBE_DENIED, name);
        LOG.debugf("broker refused a SUBSCRIBE by %s", name);
        output.failAuthorization(SubackReasonCode.NOT_AUTHORIZED, "not your topic");
    }

    /** As {@link BrokerLogin} noted it when it let the client in. */
    private static Optional<BrokerAccount> account(ConnectionInformation connection) {
        var attributes = connection.getConnectionAttributeStore();
        return attributes.getAsString(BrokerLogin.ACCOUNT_ATTRIBUTE)
                .map(name -> attributes.getAsString(BrokerLogin.HUB_ATTRIBUTE).map(Boolean::parseBoolean).orElse(false)
                        ? BrokerAccount.hub(name) : BrokerAccount.vendor(name));
    }
}
