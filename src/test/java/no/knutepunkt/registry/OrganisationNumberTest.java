package no.knutepunkt.registry;

import no.knutepunkt.testing.TestIdentities;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OrganisationNumberTest {

    @Test
    void acceptsValidCheckDigits() {
        // 12345678 -> check digit 5: 3*1+2*2+7*3+6*4+5*5+4*6+3*7+2*8 = 138, 138 mod 11 = 6, 11 - 6 = 5
        assertThat(new OrganisationNumber("123456785").value()).isEqualTo("123456785");
        // The demo seed's numbers: every repdigit passes (n * 32 = -n mod 11, so the check digit is n).
        for (char d = '1'; d <= '9'; d++) {
            String repdigit = String.valueOf(d).repeat(9);
            assertThat(new OrganisationNumber(repdigit).value()).isEqualTo(repdigit);
        }
    }

    @Test
    void acceptsRemainderZeroAsCheckDigitZero() {
        // 3*1 + 2*1 + 6*1 = 11: remainder 0, so 11 - 0 = 11, written 0
        assertThat(new OrganisationNumber("110100000").value()).isEqualTo("110100000");
        assertThatThrownBy(() -> new OrganisationNumber("110100001")).hasMessageContaining("check digit");
    }

    @Test
    void refusesAWrongCheckDigit() {
        for (char d = '0'; d <= '9'; d++) {
            if (d != '5') {
                String wrong = "12345678" + d;
                assertThatThrownBy(() -> new OrganisationNumber(wrong)).hasMessageContaining("check digit");
            }
        }
    }

    @Test
    void refusesNumbersWhoseCheckDigitWouldBeTen() {
        // 3*4 = 12: remainder 1 would need check digit 10, so no number starting 40000000 is valid
        for (char d = '0'; d <= '9'; d++) {
            String never = "40000000" + d;
            assertThatThrownBy(() -> new OrganisationNumber(never)).hasMessageContaining("check digit");
        }
    }

    @Test
    void refusesAnythingButNineDigits() {
        assertThatThrownBy(() -> new OrganisationNumber(null)).hasMessageContaining("9 digits");
        assertThatThrownBy(() -> new OrganisationNumber("12345678")).hasMessageContaining("9 digits");
        assertThatThrownBy(() -> new OrganisationNumber("1234567850")).hasMessageContaining("9 digits");
        assertThatThrownBy(() -> new OrganisationNumber("12345678a")).hasMessageContaining("9 digits");
        assertThatThrownBy(() -> new OrganisationNumber("123 456 785")).hasMessageContaining("9 digits");
    }

    @Test
    void randomTestNumbersAreValid() {
        for (int i = 0; i < 100; i++) {
            String n = TestIdentities.orgNumber();
            assertThat(new OrganisationNumber(n).value()).isEqualTo(n);
        }
    }
}
