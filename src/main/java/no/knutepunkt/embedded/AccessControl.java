package no.knutepunkt.embedded;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;

/**
 * The embedded broker's access control, as a HiveMQ extension inside the hub's jar: logins
 * ({@link BrokerLogin}) and topic rules ({@link TopicAuthorizer}), with every refusal counted in
 * {@link BrokerRefusals}.
 */
final class AccessControl implements ExtensionMain {

    private final BrokerLogin login;
    private final TopicAuthorizer authorizer = new TopicAuthorizer();
    private final AccountDatabase vendors;

    AccessControl(HubAccount hub, AccountDatabase vendors) {
        this.login = new BrokerLogin(hub, vendors);
        this.vendors = vendors;
    }

    EmbeddedExtension extension() {
        return EmbeddedExtension.builder()
                .withId("knutepunkt-access-control")
                .withName("Knutepunkt access control")
                .withVersion("1")
                .withAuthor("Knutepunkt")
                .withExtensionMain(this)
                .build();
    }

    @Override
    public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
        Services.securityRegistry().setAuthenticatorProvider(providerInput -> login);
        Services.securityRegistry().setAuthorizerProvider(providerInput -> authorizer);
        BrokerRefusals.enforcing(true);
    }

    @Override
    public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
        BrokerRefusals.enforcing(false);
        vendors.close();
    }
}
