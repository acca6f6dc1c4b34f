package no.knutepunkt.testing;

/**
 * Synthetic fødselsnumre in the style of Skatteetaten's test data (month + 80), with both mod-11
 * check digits computed: never a real person's number.
 */
public final class SyntheticIds {

    private static final int[] K1 = { 3, 7, 6, 1, 8, 9, 4, 5, 2 };
    private static final int[] K2 = { 5, 4, 3, 2, 7, 6, 5, 4, 3, 2 };

    private SyntheticIds() {
    }

    /** A synthetic number for this birth date; {@code n} picks among the valid individual numbers. */
    public static String fnr(int day, int month, int year, int n) {
        String date = String.format("%02d%02d%02d", day, month + 80, year % 100);
        int found = 0;
        // Individual numbers 500-999 are the 2000s; 000-499 the 1900s.
        int from = year >= 2000 ? 500 : 0;
        for (int individual = from; individual < from + 500; individual++) {
            String nine = date + String.format("%03d", individual);
            int k1 = check(nine, K1);
            if (k1 < 0) {
                continue;
            }
            int k2 = check(nine + k1, K2);
            if (k2 < 0) {
                continue;
            }
            if (found++ == n) {
                return nine + k1 + k2;
            }
        }
        throw new IllegalArgumentException("no such synthetic number");
    }

    /** A synthetic D-nummer: the day's first digit + 4. */
    public static String dnr(int day, int month, int year, int n) {
        String f = fnr(day + 40, month, year, n);
        return f;
    }

    private static int check(String digits, int[] weights) {
        int sum = 0;
        for (int i = 0; i < weights.length; i++) {
            sum += (digits.charAt(i) - '0') * weights[i];
        }
        int k = 11 - sum % 11;
        return k == 11 ? 0 : k == 10 ? -1 : k;
    }
}
