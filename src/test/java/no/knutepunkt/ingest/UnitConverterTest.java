package no.knutepunkt.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.RoundingMode;

import org.junit.jupiter.api.Test;

import no.knutepunkt.common.Kind;

class UnitConverterTest {

    private static final UnitConverter UNITS = new UnitConverter();

    private static BigDecimal convert(Kind kind, String value, String unit) {
        return UNITS.toCanonical(kind, new BigDecimal(value), unit);
    }

    private static String rounded(Kind kind, String value, String unit) {
        return convert(kind, value, unit).setScale(kind.scale(), RoundingMode.HALF_UP).toPlainString();
    }

    @Test
    void canonicalUnitsAreKept() {
        assertThat(convert(Kind.SYSTOLIC, "132", "mm[Hg]")).isEqualByComparingTo("132");
        assertThat(convert(Kind.WEIGHT, "80.4", "kg")).isEqualByComparingTo("80.4");
        assertThat(convert(Kind.SPO2, "94", "%")).isEqualByComparingTo("94");
        assertThat(convert(Kind.GLUCOSE, "5.6", "mmol/L")).isEqualByComparingTo("5.6");
    }

    @Test
    void kilopascalBecomesMillimetresOfMercury() {
        // UCUM: mm[Hg] = 133.3220 Pa, so 17.6 kPa = 17600 / 133.322 = 132.0112 mm[Hg].
        assertThat(convert(Kind.SYSTOLIC, "17.6", "kPa")).isCloseTo(new BigDecimal("132.0112"),
                org.assertj.core.data.Offset.offset(new BigDecimal("0.0001")));
        assertThat(rounded(Kind.DIASTOLIC, "11.2", "kPa")).isEqualTo("84");
    }

    @Test
    void poundsBecomeKilograms() {
        // [lb_av] = 453.59237 g: 176.4 lb = 80.0137 kg.
        assertThat(rounded(Kind.WEIGHT, "176.4", "[lb_av]")).isEqualTo("80.0");
        assertThat(convert(Kind.WEIGHT, "1", "[lb_av]")).isEqualByComparingTo("0.45359237");
        assertThat(rounded(Kind.WEIGHT, "80400", "g")).isEqualTo("80.4");
    }

    @Test
    void fahrenheitByItsFormulaNotByUcum() {
        assertThat(convert(Kind.TEMPERATURE, "98.6", "[degF]")).isEqualByComparingTo("37");
        assertThat(rounded(Kind.TEMPERATURE, "101.3", "[degF]")).isEqualTo("38.5");
        // Kelvin is an offset scale too: 310.15 K = 37 °C.
        assertThat(convert(Kind.TEMPERATURE, "310.15", "K")).isEqualByComparingTo("37");
        assertThatThrownBy(() -> convert(Kind.TEMPERATURE, "98", "[degR]"))
                .isInstanceOfSatisfying(Rejection.class, r -> assertThat(r.code()).isEqualTo(Rejection.Reason.UNIT_NOT_CONVERTIBLE));
    }

    @Test
    void glucoseMassConcentrationDividedByMolarMass() {
        // 90 mg/dL / 18.016 = 4.9956 mmol/L; 0.9 g/L is the same 90 mg/dL.
        assertThat(rounded(Kind.GLUCOSE, "90", "mg/dL")).isEqualTo("5.0");
        assertThat(rounded(Kind.GLUCOSE, "0.9", "g/L")).isEqualTo("5.0");
        assertThat(rounded(Kind.GLUCOSE, "180.16", "mg/dL")).isEqualTo("10.0");
        assertThat(rounded(Kind.GLUCOSE, "5600", "umol/L")).isEqualTo("5.6");
    }

    @Test
    void ratesAcceptAnnotatedUcum() {
        assertThat(convert(Kind.PULSE, "71", "{beats}/min")).isEqualByComparingTo("71");
        assertThat(convert(Kind.RESPIRATORY_RATE, "1", "/s")).isEqualByComparingTo("60");
    }

    @Test
    void notUcumOrWrongDimensionIsRefused() {
        for (String[] bad : new String[][] { { "SYSTOLIC", "mmHg" }, { "PULSE", "kg" }, { "WEIGHT", "lbs" }, { "SPO2", "" },
                { "GLUCOSE", "kg" } }) {
            assertThatThrownBy(() -> convert(Kind.valueOf(bad[0]), "1", bad[1]))
                    .as("%s in %s", bad[0], bad[1])
                    .isInstanceOfSatisfying(Rejection.class, r -> assertThat(r.code()).isEqualTo(Rejection.Reason.UNIT_NOT_CONVERTIBLE));
        }
    }
}
