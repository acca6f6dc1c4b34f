package no.knutepunkt.simulator;

import java.time.LocalDate;
import java.util.SplittableRandom;

/**
 * Synthetic fødselsnumre in the style of Skatteetaten's test data: birth month + 80, so no
 * simulated patient can ever carry a real person's number (clinical-coding.md, "Test patients").
 * Check digits by the pre-2032 rule, which every hub accepts. The hub refuses these numbers unless
 * synthetic identities are enabled (demo and test profiles).
 */
public final class SyntheticNationalIds {

    private static final int[] K1 = { 3, 7, 6, 1, 8, 9, 4, 5, 2 };
    private static final int[] K2 = { 5, 4, 3, 2, 7, 6, 5, 4, 3, 2 };

    private SyntheticNationalIds() {
    }

    /** A person born 1930-1989 (people in home follow-up are mostly old), drawn from {@code random}. */
    public static String fodselsnummer(SplittableRandom random) {
        while (true) {
            LocalDate born = LocalDate.of(1930, 1, 1).plusDays(random.nextInt(60 * 365));
            // Individual numbers 000-499 are those of people born 1900-1999.
            String number = of(born, random.nextInt(500));
            if (number != null) {
                return number;
            }
        }
    }

    /** The number for this birth date and individual number, or null when no check digit fits (one would be 10). */
    public static String of(LocalDate born, int individual) {
        String nine = String.format("%02d%02d%02d%03d", born.getDayOfMonth(), born.getMonthValue() + 80, born.getYear() % 100, individual);
        int k1 = checkDigit(nine, K1);
        if (k1 == 10) {
            return null;
        }
        int k2 = checkDigit(nine + k1, K2);
        return k2 == 10 ? null : nine + k1 + k2;
    }

    /** Whether the third digit of the individual number says woman (even) or man (odd), by the pre-2032 rule. */
    public static boolean isWoman(String number) {
        return (number.charAt(8) - '0') % 2 == 0;
    }

    private static int checkDigit(String digits, int[] weights) {
        int sum = 0;
        for (int i = 0; i < weights.length; i++) {
            sum += weights[i] * (digits.charAt(i) - '0');
        }
        int k = 11 - sum % 11;
        return k == 11 ? 0 : k;
    }
}
