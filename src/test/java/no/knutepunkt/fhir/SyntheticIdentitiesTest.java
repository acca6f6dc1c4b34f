package no.knutepunkt.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;

import org.junit.jupiter.api.Test;

class SyntheticIdentitiesTest {

    @Test
    void matchesAHandComputedNumber() {
        // 15.05.1967, month + 80, individual 123: digits 1 5 8 5 6 7 1 2 3.
        // k1: 1*3+5*7+8*6+5*1+6*8+7*9+1*4+2*5+3*2 = 222, 222 mod 11 = 2, 11 - 2 = 9.
        // k2: 1*5+5*4+8*3+5*2+6*7+7*6+1*5+2*4+3*3+9*2 = 183, 183 mod 11 = 7, 11 - 7 = 4.
        assertThat(SyntheticIdentities.fodselsnummer(LocalDate.of(1967, 5, 15), 123)).isEqualTo("15856712394");
        assertThat(SyntheticIdentities.hasValidCheckDigits("15856712394")).isTrue();
    }

    @Test
    void everyGeneratedNumberIsSyntheticAndChecksOut() {
        for (int day = 1; day <= 28; day += 3) {
            LocalDate birth = LocalDate.of(1950 + day, 1 + day % 12, day);
            String fnr = SyntheticIdentities.fodselsnummer(birth, 0);
            String dnr = SyntheticIdentities.dNummer(birth, 0);
            assertThat(SyntheticIdentities.hasValidCheckDigits(fnr)).as(fnr).isTrue();
            assertThat(SyntheticIdentities.hasValidCheckDigits(dnr)).as(dnr).isTrue();
            assertThat(Integer.parseInt(fnr.substring(2, 4))).isEqualTo(birth.getMonthValue() + 80);
            assertThat(Integer.parseInt(dnr.substring(0, 2))).isEqualTo(day + 40);
        }
    }

    @Test
    void aChangedDigitFailsTheCheck() {
        String fnr = SyntheticIdentities.fodselsnummer(LocalDate.of(1990, 12, 24), 0);
        for (int i = 0; i < 11; i++) {
            char[] c = fnr.toCharArray();
            c[i] = (char) ('0' + (c[i] - '0' + 1) % 10);
            assertThat(SyntheticIdentities.hasValidCheckDigits(new String(c))).as("digit %d changed", i).isFalse();
        }
    }
}
