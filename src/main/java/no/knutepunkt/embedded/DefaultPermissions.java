package no.knutepunkt.embedded;

import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission;
import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission.MqttActivity;
import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission.PermissionType;
import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission.SharedSubscription;
import com.hivemq.extension.sdk.api.packets.auth.DefaultAuthorizationBehaviour;
import com.hivemq.extension.sdk.api.packets.auth.ModifiableDefaultPermissions;
import com.hivemq.extension.sdk.api.services.builder.Builders;

/**
 * {@link TopicRules} once more, as HiveMQ's own per-client permissions: {@link TopicAuthorizer} refuses
 * (and counts) what the rules refuse and leaves the rest to these, so a publish or subscription gets
 * through only if both agree. Deny by default.
 */
final class DefaultPermissions {

    private DefaultPermissions() {
    }

    static void apply(BrokerAccount account, ModifiableDefaultPermissions permissions) {
        permissions.clear();
        permissions.setDefaultBehaviour(DefaultAuthorizationBehaviour.DENY);
        if (account.hub()) {
            permissions.add(allow("knutepunkt/v1/+/+/measurements", MqttActivity.SUBSCRIBE));
            permissions.add(allow("knutepunkt/v1/+/+/receipts", MqttActivity.PUBLISH));
        } else {
            permissions.add(allow("knutepunkt/v1/" + account.name() + "/+/measurements", MqttActivity.PUBLISH));
            permissions.add(allow("knutepunkt/v1/" + account.name() + "/+/receipts", MqttActivity.SUBSCRIBE));
        }
    }

    private static TopicPermission allow(String topicFilter, MqttActivity activity) {
        return Builders.topicPermission()
                .topicFilter(topicFilter)
                .activity(activity)
                .type(PermissionType.ALLOW)
                // Shared or not, in any share group: several hub instances split the load in one (README, "Operate").
                .sharedSubscription(SharedSubscription.ALL)
                .build();
    }
}
