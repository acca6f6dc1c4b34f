package no.knutepunkt.registry;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The registry's tests stand on their own: stand-in routes (registry-test-routes/*.yaml) for the
 * formats they register, instead of the real mapping files (the ingest tests test those).
 */
public class RegistryTestProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("camel.main.routes-include-pattern", "classpath:registry-test-routes/*.yaml");
    }
}
