package no.knutepunkt.registry;

import no.knutepunkt.testing.TestIdentities;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;

import org.junit.jupiter.api.Test;

import no.knutepunkt.registry.InvalidNationalIdException.Reason;

class NationalIdTest {

    private static final String SYNTHETIC = firstValid(LocalDate.of(1967, 5, 15), true, false);

    @Test
    void acceptsANumberByTheOldCalculation() {
        // Skatteetaten's worked example for the new rule whose remainder is 0: valid by the old rule too.
        NationalId id = NationalId.parse("30108299920", false);

        assertThat(id.value()).isEqualTo("30108299920");
        assertThat(id.system()).isEqualTo("fnr");
        assertThat(id.oid()).isEqualTo("urn:oid:2.16.578.1.12.4.1.4.1");
        assertThat(id.isSynthetic()).isFalse();
    }

    @Test
    void acceptsNumbersOfTheNewCalculationFrom2032() {
        // Skatteetaten, "Nytt fødselsnummer fra 2032": k1 remainders 0, 1 and 2 in its examples.
        assertThat(NationalId.parse("02013299997", false).system()).isEqualTo("fnr");
        assertThat(NationalId.parse("30108299939", false).system()).isEqualTo("fnr");
        assertThat(NationalId.parse("02013299903", false).system()).isEqualTo("fnr");
    }

    @Test
    void acceptsEveryK1RemainderUpToThreeAndNoneAbove() {
        String nine = "150547123";
        for (int remainder = 0; remainder <= 3; remainder++) {
            String n = TestIdentities.withCheckDigits(nine, remainder);
            if (n != null) {
                assertThat(NationalId.parse(n, false).value()).isEqualTo(n);
            }
        }
        for (int remainder = 4; remainder <= 10; remainder++) {
            String n = TestIdentities.withCheckDigits(nine, remainder);
            if (n != null) {
                assertThatThrownBy(() -> NationalId.parse(n, false))
                        .isInstanceOfSatisfying(InvalidNationalIdException.class, e -> assertThat(e.reason()).isEqualTo(Reason.CHECK_DIGITS));
            }
        }
    }

    @Test
    void refusesAWrongFirstOrSecondCheckDigit() {
        // k2 correct for a k1 whose remainder (4) no rule allows: 30108299963
        assertThat(TestIdentities.withCheckDigits("301082999", 4)).isEqualTo("30108299963");
        assertThat(reasonFor("30108299963", false)).isEqualTo(Reason.CHECK_DIGITS);
        // k1 right, k2 off by one
        assertThat(reasonFor("30108299921", false)).isEqualTo(Reason.CHECK_DIGITS);
        String wrongK2 = SYNTHETIC.substring(0, 10) + (char) ('0' + (SYNTHETIC.charAt(10) - '0' + 1) % 10);
        assertThat(reasonFor(wrongK2, true)).isEqualTo(Reason.CHECK_DIGITS);
    }

    @Test
    void refusesAnythingButElevenDigits() {
        assertThat(reasonFor(null, true)).isEqualTo(Reason.NOT_ELEVEN_DIGITS);
        assertThat(reasonFor("", true)).isEqualTo(Reason.NOT_ELEVEN_DIGITS);
        assertThat(reasonFor("3010829992", true)).isEqualTo(Reason.NOT_ELEVEN_DIGITS);
        assertThat(reasonFor("301082999200", true)).isEqualTo(Reason.NOT_ELEVEN_DIGITS);
        assertThat(reasonFor("301082 9992", true)).isEqualTo(Reason.NOT_ELEVEN_DIGITS);
        assertThat(reasonFor("３0108299920", true)).isEqualTo(Reason.NOT_ELEVEN_DIGITS);
    }

    @Test
    void acceptsADNummer() {
        String dnr = firstValid(LocalDate.of(1985, 8, 21), false, true);

        NationalId id = NationalId.parse(dnr, false);

        assertThat(dnr).startsWith("610885");
        assertThat(id.system()).isEqualTo("dnr");
        assertThat(id.isDNumber()).isTrue();
        assertThat(id.oid()).isEqualTo("urn:oid:2.16.578.1.12.4.1.4.2");
    }

    @Test
    void refusesADNummerWhoseDayIsNoDate() {
        assertThat(reasonFor(firstValid(LocalDate.of(1985, 1, 31), false, true), false)).isNull(); // day 71: the last
        assertThat(reasonFor(complete("720185123"), false)).isEqualTo(Reason.NO_SUCH_DATE);
        assertThat(reasonFor(complete("400185123"), false)).isEqualTo(Reason.NO_SUCH_DATE);
        assertThat(reasonFor(complete("690285123"), false)).isEqualTo(Reason.NO_SUCH_DATE); // 29 Feb 1985 as a D-nummer
    }

    @Test
    void acceptsSyntheticNumbersOnlyWhereAllowed() {
        String fnr = SYNTHETIC;
        String dnr = firstValid(LocalDate.of(1967, 5, 15), true, true);
        assertThat(fnr).startsWith("158567");
        assertThat(dnr).startsWith("558567");

        assertThat(NationalId.parse(fnr, true).isSynthetic()).isTrue();
        assertThat(NationalId.parse(fnr, true).system()).isEqualTo("fnr");
        assertThat(NationalId.parse(dnr, true).system()).isEqualTo("dnr");
        assertThat(reasonFor(fnr, false)).isEqualTo(Reason.SYNTHETIC_NOT_ALLOWED);
        assertThat(reasonFor(dnr, false)).isEqualTo(Reason.SYNTHETIC_NOT_ALLOWED);
    }

    @Test
    void refusesASyntheticNumberWithWrongCheckDigitsEvenWhereSyntheticIsAllowed() {
        String fnr = SYNTHETIC;
        String broken = fnr.substring(0, 9) + (char) ('0' + (fnr.charAt(9) - '0' + 5) % 10) + fnr.charAt(10);
        assertThat(reasonFor(broken, true)).isEqualTo(Reason.CHECK_DIGITS);
    }

    @Test
    void refusesDaysThatDoNotExist() {
        assertThat(reasonFor(complete("290223123"), true)).isEqualTo(Reason.NO_SUCH_DATE); // 29 Feb, 1923/2023 not leap years
        assertThat(reasonFor(complete("300280123"), true)).isEqualTo(Reason.NO_SUCH_DATE);
        assertThat(reasonFor(complete("310485123"), true)).isEqualTo(Reason.NO_SUCH_DATE);
        assertThat(reasonFor(complete("011385123"), true)).isEqualTo(Reason.NO_SUCH_DATE);
        assertThat(reasonFor(complete("010085123"), true)).isEqualTo(Reason.NO_SUCH_DATE);
        assertThat(reasonFor(complete("000185123"), true)).isEqualTo(Reason.NO_SUCH_DATE);
        assertThat(reasonFor(complete("019385123"), true)).isEqualTo(Reason.NO_SUCH_DATE); // synthetic month 13
        assertThat(reasonFor(complete("014185123"), true)).isEqualTo(Reason.NO_SUCH_DATE); // H-nummer (month + 40): not accepted
    }

    @Test
    void acceptsLeapDays() {
        assertThat(reasonFor(firstValid(LocalDate.of(1984, 2, 29), false, false), false)).isNull();
        assertThat(reasonFor(firstValid(LocalDate.of(2000, 2, 29), false, false), false)).isNull();
        assertThat(reasonFor(firstValid(LocalDate.of(1984, 2, 29), true, false), true)).isNull();
    }

    @Test
    void toStringNeverShowsTheNumber() {
        String fnr = SYNTHETIC;
        NationalId id = NationalId.parse(fnr, true);

        assertThat(id.toString()).doesNotContain(fnr).doesNotContain(fnr.substring(0, 6)).doesNotContain(fnr.substring(6))
                .doesNotContainPattern("\\d{3}").contains("fnr");
    }

    @Test
    void errorMessagesNeverShowTheNumber() {
        String fnr = SYNTHETIC;
        assertThatThrownBy(() -> NationalId.parse(fnr, false)).message().doesNotContain(fnr).doesNotContain(fnr.substring(0, 6));
        assertThatThrownBy(() -> NationalId.parse(complete("290223123"), true)).message().doesNotContainPattern("\\d{6}");
    }

    @Test
    void equalNumbersAreEqual() {
        String fnr = SYNTHETIC;
        assertThat(NationalId.parse(fnr, true)).isEqualTo(NationalId.parse(fnr, true))
                .hasSameHashCodeAs(NationalId.parse(fnr, true))
                .isNotEqualTo(NationalId.parse(firstValid(LocalDate.of(1967, 5, 16), true, false), true));
    }

    private static Reason reasonFor(String value, boolean syntheticAllowed) {
        try {
            NationalId.parse(value, syntheticAllowed);
            return null;
        } catch (InvalidNationalIdException e) {
            return e.reason();
        }
    }

    private static String firstValid(LocalDate born, boolean synthetic, boolean dNumber) {
        for (int individual = 100; individual < 1000; individual++) {
            String n = TestIdentities.number(born, individual, synthetic, dNumber);
            if (n != null) {
                return n;
            }
        }
        throw new IllegalStateException("no valid individual number");
    }

    /** Nine digits with valid check digits, whatever date they hold: to test the date check alone. */
    private static String complete(String nine) {
        for (int bump = 0; bump < 100; bump++) {
            String candidate = nine.substring(0, 6) + String.format("%03d", (Integer.parseInt(nine.substring(6)) + bump) % 1000);
            String n = TestIdentities.withCheckDigits(candidate, 0);
            if (n != null) {
                return n;
            }
        }
        throw new IllegalStateException("no valid individual number");
    }
}
