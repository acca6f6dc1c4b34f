package no.knutepunkt.web;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The demo pilot seeded (deploy/seed/demo-pilot.json): the organisations, patients, devices and
 * care teams the local issuer's demo users (deploy/seed/demo-users.json) belong to, so that the
 * pages' tests sign in as those users, exactly as the demo does.
 */
public class DemoPilotProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("knutepunkt.seed.file", "deploy/seed/demo-pilot.json");
    }
}
