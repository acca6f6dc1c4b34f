package no.knutepunkt.testing;

import java.time.LocalDate;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Fødselsnumre and organisation numbers for tests, with check digits computed here by the
 * textbook formula (k = 11 - weighted sum mod 11), independently of the hub's NationalId. Random ones
 * are synthetic (month + 80), so no test ever holds a number that could be a real person's.
 */
public final class TestIdentities {

    private static final int[] K1 = { 3, 7, 6, 1, 8, 9, 4, 5, 2 };
    private static final int[] K2 = { 5, 4, 3, 2, 7, 6, 5, 4, 3, 2 };
    private static final int[] ORG = { 3, 2, 7, 6, 5, 4, 3, 2 };

    private TestIdentities() {
    }

    /**
     * The number for this date and individual number by the pre-2032 rule, or null when that
     * individual number gives no valid check digit that day (a check digit of 10).
     */
    public static String number(LocalDate born, int individual, boolean synthetic, boolean dNumber) {
        String nine = String.format("%02d%02d%02d%03d", born.getDayOfMonth() + (dNumber ? 40 : 0),
                born.getMonthValue() + (synthetic ? 80 : 0), born.getYear() % 100, individual);
        return withCheckDigits(nine, 0);
    }

    /**
     * Nine digits completed by the 2032 rule with the given remainder (0 to 3) for k1: k1 =
     * {11,12,13,14} - (sum mod 11), k2 as before. Null when a check digit would be 10.
     */
    public static String withCheckDigits(String nine, int k1Remainder) {
        int k1 = 11 + k1Remainder - weightedSum(nine, K1) % 11;
        if (k1 >= 11) {
            k1 -= 11;
        }
        if (k1 == 10) {
            return null;
        }
        String ten = nine + k1;
        int k2 = 11 - weightedSum(ten, K2) % 11;
        if (k2 == 11) {
            k2 = 0;
        }
        return k2 == 10 ? null : ten + k2;
    }

    /** A random synthetic fødselsnummer (old rule), different on every call in practice. */
    public static String syntheticFnr() {
        return random(false);
    }

    /** A random synthetic D-nummer (old rule). */
    public static String syntheticDnr() {
        return random(true);
    }

    /** The synthetic fødselsnummer for this birth date with the first valid individual number from {@code from}. */
    public static String fodselsnummer(LocalDate born, int from) {
        return first(born, from, false);
    }

    /** The synthetic D-nummer for this birth date with the first valid individual number from {@code from}. */
    public static String dNummer(LocalDate born, int from) {
        return first(born, from, true);
    }

    private static String first(LocalDate born, int from, boolean dNumber) {
        // Individual numbers 500-999 are those of people born 2000-2039, 000-499 those born 1900-1999.
        int lo = born.getYear() >= 2000 ? 500 : 0;
        for (int i = Math.max(from, lo); i < lo + 500; i++) {
            String n = number(born, i, true, dNumber);
            if (n != null) {
                return n;
            }
        }
        throw new IllegalArgumentException("no valid individual number left from " + from + " for " + born);
    }

    private static String random(boolean dNumber) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        while (true) {
            LocalDate born = LocalDate.of(1920, 1, 1).plusDays(r.nextInt(365 * 90));
            String n = number(born, r.nextInt(1000), true, dNumber);
            if (n != null) {
                return n;
            }
        }
    }

    /** A random valid organisation number starting with 1: Enhetsregisteret only issues numbers starting with 8 or 9. */
    public static String orgNumber() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        while (true) {
            String eight = "1" + String.format("%07d", r.nextInt(10_000_000));
            int check = 11 - weightedSum(eight, ORG) % 11;
            if (check == 11) {
                check = 0;
            }
            if (check != 10) {
                return eight + check;
            }
        }
    }

    private static int weightedSum(String digits, int[] weights) {
        int sum = 0;
        for (int i = 0; i < weights.length; i++) {
            sum += weights[i] * (digits.charAt(i) - '0');
        }
        return sum;
    }
}
