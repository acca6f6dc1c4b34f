package no.knutepunkt.registry;

import java.time.DateTimeException;
import java.time.LocalDate;

/**
 * A Norwegian fødselsnummer or D-nummer, checked: eleven digits, a real date of birth and both
 * mod-11 check digits. Synthetic numbers (Skatteetaten's test-data style, month + 80) pass only
 * where synthetic identities are allowed, so test data cannot end up in a production registry and
 * tests never need a number that could be a real person's.
 *
 * <p>{@link #toString()} hides the number: logs must never contain fødselsnumre (security.md), and
 * a value type ends up in log lines and exception messages sooner or later. Only {@link #value()}
 * gives it out, for storage and for the FHIR {@code subject.identifier}.
 */
public final class NationalId {

    private static final int[] K1_WEIGHTS = { 3, 7, 6, 1, 8, 9, 4, 5, 2 };
    private static final int[] K2_WEIGHTS = { 5, 4, 3, 2, 7, 6, 5, 4, 3, 2 };

    private static final String FNR_OID = "urn:oid:2.16.578.1.12.4.1.4.1";
    private static final String DNR_OID = "urn:oid:2.16.578.1.12.4.1.4.2";

    private final String value;
    private final boolean dNumber;
    private final boolean synthetic;

    private NationalId(String value, boolean dNumber, boolean synthetic) {
        this.value = value;
        this.dNumber = dNumber;
        this.synthetic = synthetic;
    }

    /**
     * @param syntheticAllowed whether synthetic numbers (month + 80) are accepted; see
     *                         {@code knutepunkt.identity.synthetic-allowed}
     * @throws InvalidNationalIdException saying what is wrong, never which number it was
     */
    public static NationalId parse(String value, boolean syntheticAllowed) {
        if (!isElevenDigits(value)) {
            throw new InvalidNationalIdException(InvalidNationalIdException.Reason.NOT_ELEVEN_DIGITS,
                    "a fødselsnummer or D-nummer has exactly 11 digits");
        }
        int day = number(value, 0);
        int month = number(value, 2);
        int year = number(value, 4);

        boolean dNumber = day > 40;
        if (dNumber) {
            day -= 40;
        }
        boolean synthetic = month > 80;
        if (synthetic) {
            month -= 80;
        }
        if (!isRealDate(day, month, year)) {
            throw new InvalidNationalIdException(InvalidNationalIdException.Reason.NO_SUCH_DATE,
                    "the first six digits are not a date of birth (nor a D-nummer's)");
        }
        if (!hasValidCheckDigits(value)) {
            throw new InvalidNationalIdException(InvalidNationalIdException.Reason.CHECK_DIGITS,
                    "the check digits do not match (mod 11)");
        }
        if (synthetic && !syntheticAllowed) {
            throw new InvalidNationalIdException(InvalidNationalIdException.Reason.SYNTHETIC_NOT_ALLOWED,
                    "synthetic (test) identities are not accepted here");
        }
        return new NationalId(value, dNumber, synthetic);
    }

    /** The eleven digits. Never log them. */
    public String value() {
        return value;
    }

    /** {@code "dnr"} for a D-nummer, else {@code "fnr"}: the registry's {@code identifier_system}. */
    public String system() {
        return dNumber ? "dnr" : "fnr";
    }

    /** The FHIR identifier system (Volven OID) of this kind of number. */
    public String oid() {
        return dNumber ? DNR_OID : FNR_OID;
    }

    public boolean isDNumber() {
        return dNumber;
    }

    public boolean isSynthetic() {
        return synthetic;
    }

    /** The FHIR identifier system (Volven OID) for a registry {@code identifier_system} ("fnr" or "dnr"). */
    public static String oidOf(String system) {
        return switch (system) {
        case "fnr" -> FNR_OID;
        case "dnr" -> DNR_OID;
        default -> throw new IllegalArgumentException("unknown identifier system: " + system);
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NationalId other && other.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    /** Masked: says what kind of number this is, never which. */
    @Override
    public String toString() {
        return "NationalId[" + system() + (synthetic ? ", synthetic" : "") + ", ***********]";
    }

    /*
     * Check digits. Until 2032 both are plain mod 11: k = 11 - (weighted sum mod 11), 11 meaning 0
     * and 10 meaning "not a valid number". Equivalently: the weighted sum of the digits *including*
     * the check digit (weight 1) leaves remainder 0 when divided by 11.
     *
     * Numbers issued from 1 January 2032 use Skatteetaten's new calculation, which changes k1 only:
     * "I dagens kontrollberegning må rest etter moduluskontrollen være lik 0. I ny kontrollberegning
     * vil rest etter moduluskontrollen tillate 0, 1, 2 og 3 som gyldige verdier", written there as
     * "k1 = {11,12,13,14} - ((d1 x 3 + d2 x 7 + m1 x 6 + m2 x 1 + å1 x 8 + å2 x 9 + i1 x 4 + i2 x 5
     * + i3 x 2) MOD 11)"; "k2 beregnes likt som før med kun 1 - ett - gyldig siffer" (k2 still weighs
     * k1 by 2, so remainder 0). Source: Skatteetaten, "Nytt fødselsnummer fra 2032",
     * https://skatteetaten.github.io/folkeregisteret-api-dokumentasjon/nytt-fodselsnummer-fra-2032/
     * (repository Skatteetaten/folkeregisteret-api-dokumentasjon, src/om-tjenestene/nyttfnr2032.md);
     * NationalIdTest pins its worked examples 02013299997, 02013299903, 30108299920 and 30108299939.
     * New numbers go also to people born before 2032 ("vil gjelde for alle nye tildelinger"), and a
     * number does not say which rule issued it, so any number may pass by either; the old rule is
     * the new one's remainder-0 case, so one check covers both.
     */
    static boolean hasValidCheckDigits(String digits) {
        int k1Remainder = weightedSum(digits, K1_WEIGHTS, 9) % 11;
        int k2Remainder = weightedSum(digits, K2_WEIGHTS, 10) % 11;
        return k1Remainder <= 3 && k2Remainder == 0;
    }

    /** Sum of digit × weight over the weighted digits, plus the check digit at checkIndex (weight 1). */
    private static int weightedSum(String digits, int[] weights, int checkIndex) {
        int sum = digit(digits, checkIndex);
        for (int i = 0; i < weights.length; i++) {
            sum += weights[i] * digit(digits, i);
        }
        return sum;
    }

    /*
     * The date must exist. The year has two digits and the century used to follow from the
     * individual number, but numbers issued from 2032 no longer encode it ("Individnummeret vil ikke
     * lenger angi århundre", same source). Only 29 February of year "00" differs between
     * centuries (1900 was not a leap year, 2000 was), so a day that exists in 19yy or 20yy is
     * accepted; 29 February of any other non-leap year is not.
     */
    private static boolean isRealDate(int day, int month, int year) {
        return exists(1900 + year, month, day) || exists(2000 + year, month, day);
    }

    private static boolean exists(int year, int month, int day) {
        try {
            LocalDate.of(year, month, day);
            return true;
        } catch (DateTimeException e) {
            return false;
        }
    }

    private static boolean isElevenDigits(String value) {
        if (value == null || value.length() != 11) {
            return false;
        }
        for (int i = 0; i < 11; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static int number(String digits, int at) {
        return digit(digits, at) * 10 + digit(digits, at + 1);
    }

    private static int digit(String digits, int at) {
        return digits.charAt(at) - '0';
    }
}
