package no.knutepunkt.registry;

/**
 * A Norwegian organisasjonsnummer (Enhetsregisteret): nine digits, the last a mod-11 check digit
 * over the first eight with weights 3 2 7 6 5 4 3 2. It identifies the organisation responsible
 * for the data in every Observation ({@code performer}), so a typo must not get in.
 */
public record OrganisationNumber(String value) {

    private static final int[] WEIGHTS = { 3, 2, 7, 6, 5, 4, 3, 2 };

    /** The FHIR identifier system for organisasjonsnummer. */
    public static final String OID = "urn:oid:2.16.578.1.12.4.1.4.101";

    public OrganisationNumber {
        if (!isNineDigits(value)) {
            throw new IllegalArgumentException("an organisation number has exactly 9 digits");
        }
        if (!hasValidCheckDigit(value)) {
            throw new IllegalArgumentException("the check digit does not match (mod 11)");
        }
    }

    public static boolean isNineDigits(String value) {
        return value != null && value.length() == 9 && value.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** The check digit is 11 - (weighted sum mod 11), 11 meaning 0; a sum that would need 10 is never issued. */
    private static boolean hasValidCheckDigit(String digits) {
        int sum = 0;
        for (int i = 0; i < WEIGHTS.length; i++) {
            sum += WEIGHTS[i] * (digits.charAt(i) - '0');
        }
        int check = 11 - sum % 11;
        if (check == 11) {
            check = 0;
        }
        return check != 10 && check == digits.charAt(8) - '0';
    }

    @Override
    public String toString() {
        return value;
    }
}
