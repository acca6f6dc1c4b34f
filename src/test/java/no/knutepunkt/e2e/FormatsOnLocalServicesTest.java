package no.knutepunkt.e2e;

import org.junit.jupiter.api.condition.EnabledIf;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import no.knutepunkt.testing.LocalServices;

/** The same end-to-end test against the machine's Mosquitto and PostgreSQL services, where they run. */
@QuarkusTest
@TestProfile(LocalServices.class)
@EnabledIf("no.knutepunkt.testing.LocalServices#present")
class FormatsOnLocalServicesTest extends FormatsEndToEndTest {
}
