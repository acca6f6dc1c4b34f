package no.knutepunkt.registry;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** A hub configured as production is: synthetic (test) fødselsnumre refused, and so no demo seed, which holds only those. */
public class NoSyntheticIdentitiesProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("knutepunkt.identity.synthetic-allowed", "false");
    }
}
