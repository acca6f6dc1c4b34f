package no.knutepunkt.fhir;

import java.time.LocalDate;

/**
 * Synthetic fødselsnumre and D-numre in the style of Skatteetaten's test data (birth month + 80),
 * with valid mod-11 check digits, so tests never carry a real person's number.
 */
public final class SyntheticIdentities {

    private static final int[] FIRST = {3, 7, 6, 1, 8, 9, 4, 5, 2};
    private static final int[] SECOND = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2};

    private SyntheticIdentities() {
    }

    /** The first synthetic fødselsnummer for this birth date with an individual number from {@code from} upward. */
    public static String fodselsnummer(LocalDate birth, int from) {
        return withCheckDigits(birth.getDayOfMonth(), birth, from);
    }

    /** As {@link #fodselsnummer}, as a D-nummer (first digit + 4). */
    public static String dNummer(LocalDate birth, int from) {
        return withCheckDigits(birth.getDayOfMonth() + 40, birth, from);
    }

    /** Both check digits right (the pre-2032 calculation). */
    public static boolean hasValidCheckDigits(String number) {
        if (number.length() != 11 || !number.chars().allMatch(Character::isDigit)) {
            return false;
        }
        int k1 = checkDigit(number, FIRST);
        int k2 = checkDigit(number, SECOND);
        return k1 == number.charAt(9) - '0' && k2 == number.charAt(10) - '0';
    }

    private static String withCheckDigits(int day, LocalDate birth, int from) {
        // Individual numbers 500-999 are those of people born 2000-2039, 000-499 those born 1900-1999.
        int lo = birth.getYear() >= 2000 ? 500 : 0;
        for (int i = Math.max(from, lo); i < lo + 500; i++) {
            String nine = String.format("%02d%02d%02d%03d", day, birth.getMonthValue() + 80, birth.getYear() % 100, i);
            int k1 = checkDigit(nine, FIRST);
            if (k1 == 10) {
                continue;
            }
            int k2 = checkDigit(nine + k1, SECOND);
            if (k2 == 10) {
                continue;
            }
            return nine + k1 + k2;
        }
        throw new IllegalArgumentException("no valid individual number left from " + from + " for " + birth);
    }

    /** 11 - (weighted sum mod 11), where 11 becomes 0 and 10 means "no valid number". */
    private static int checkDigit(String digits, int[] weights) {
        int sum = 0;
        for (int i = 0; i < weights.length; i++) {
            sum += (digits.charAt(i) - '0') * weights[i];
        }
        int k = 11 - sum % 11;
        return k == 11 ? 0 : k;
    }
}
