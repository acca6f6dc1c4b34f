package no.knutepunkt.registry;

import java.util.HashMap;
import java.util.Map;

/**
 * The registry's profile, with endpoints that carry no security annotation left open: the operator
 * API's tests run as an operator through {@code @TestSecurity}, before the hub's authentication
 * exists on this branch.
 */
public class MqttCredentialsTestProfile extends RegistryTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> config = new HashMap<>(super.getConfigOverrides());
        config.put("quarkus.security.jaxrs.deny-unannotated-endpoints", "false");
        return config;
    }
}
