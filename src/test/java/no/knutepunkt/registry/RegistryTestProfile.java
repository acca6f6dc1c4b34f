package no.knutepunkt.registry;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The registry's tests stand on their own: stand-in routes (registry-test-routes/*.yaml) for the
 * formats they register, instead of the real mapping files (the ingest tests test those), and the
 * demo seed loaded at start-up, as in the demo.
 */
public class RegistryTestProfile implements QuarkusTestProfile {

    static final String SEED = "deploy/seed/demo-pilot.json";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "camel.main.routes-include-pattern", "classpath:registry-test-routes/*.yaml",
                "knutepunkt.seed.file", SEED);
    }
}
