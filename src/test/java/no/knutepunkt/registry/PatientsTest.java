package no.knutepunkt.registry;

import no.knutepunkt.testing.TestIdentities;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import no.knutepunkt.registry.Patients.NewPatient;

/** knutepunkt.identity.synthetic-allowed decides what the API accepts; the test profile has it on, production off. */
class PatientsTest {

    @Test
    void refusesSyntheticNumbersWhenTheHubDoesNotAllowThem() {
        String fnr = TestIdentities.syntheticFnr();
        Patients production = new Patients(() -> false);

        assertThatThrownBy(() -> production.check(new NewPatient(fnr, "Kari", "Nordmann")))
                .isInstanceOfSatisfying(Problem.class, p -> {
                    assertThat(p.status()).isEqualTo(422);
                    assertThat(p.field()).isEqualTo("identifier");
                    assertThat(p.getMessage()).contains("synthetic").doesNotContain(fnr);
                });
    }

    @Test
    void acceptsThemWhereAllowed() {
        String fnr = TestIdentities.syntheticFnr();

        assertThat(new Patients(() -> true).check(new NewPatient(fnr, "Kari", "Nordmann")).isSynthetic()).isTrue();
    }
}
