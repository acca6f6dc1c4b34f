package no.knutepunkt.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.fhir.ucum.Decimal;
import org.fhir.ucum.UcumEssenceService;
import org.fhir.ucum.UcumException;

import no.knutepunkt.common.Kind;

/**
 * Converts a value to the canonical unit of its kind, as clinical-coding.md says: ratio units
 * through the UCUM library, temperature by its formula (UCUM conversion only multiplies), glucose
 * mass concentrations to mg/dL with UCUM and then by glucose's molar mass. Factors are asked of
 * UCUM once per unit and kept, so the hot path is one multiplication.
 */
@ApplicationScoped
public class UnitConverter {

    private static final MathContext PRECISION = MathContext.DECIMAL64;
    /** Glucose, 180.156 g/mol: mg/dL ÷ 18.016 = mmol/L. */
    private static final BigDecimal GLUCOSE_MG_DL_PER_MMOL_L = new BigDecimal("18.016");
    private static final BigDecimal FIVE_NINTHS = BigDecimal.valueOf(5).divide(BigDecimal.valueOf(9), PRECISION);
    private static final BigDecimal THIRTY_TWO = BigDecimal.valueOf(32);
    private static final BigDecimal KELVIN_AT_ZERO_CELSIUS = new BigDecimal("273.15");
    /** Enough significant digits that UCUM's precision tracking does not round the factor. */
    private static final String ONE = "1.000000000000000000";

    private final UcumEssenceService ucum;
    private final Map<String, Conversion> conversions = new ConcurrentHashMap<>();

    public UnitConverter() {
        try (InputStream essence = UcumEssenceService.class.getResourceAsStream("/ucum-essence.xml")) {
            ucum = new UcumEssenceService(essence);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (UcumException e) {
            throw new IllegalStateException("UCUM definitions could not be read", e);
        }
    }

    /**
     * @return the value in {@link Kind#unit()}, not rounded
     * @throws Rejection UNIT_NOT_CONVERTIBLE when the unit is not UCUM or not of this kind
     */
    public BigDecimal toCanonical(Kind kind, BigDecimal value, String unit) {
        String cacheKey = kind.name() + ' ' + unit;
        Conversion c = conversions.get(cacheKey);
        if (c == null) {
            c = conversionOf(kind, unit);
            if (c.failure() != null) {
                // Not kept: the unit text comes from the vendor, and junk must not grow the cache.
                throw new Rejection(Rejection.Reason.UNIT_NOT_CONVERTIBLE, c.failure());
            }
            conversions.put(cacheKey, c);
        }
        BigDecimal shifted = c.offset().signum() == 0 ? value : value.subtract(c.offset());
        return shifted.multiply(c.factor(), PRECISION).divide(c.divisor(), PRECISION);
    }

    private Conversion conversionOf(Kind kind, String unit) {
        String target = kind.unit();
        if (unit == null || unit.isBlank()) {
            return Conversion.failed("no unit given for " + kind.wireName());
        }
        if (kind == Kind.TEMPERATURE) {
            // Offset scales are not multiplications; only the two the contract names are accepted.
            return switch (unit) {
                case "Cel" -> Conversion.factor(BigDecimal.ONE);
                case "[degF]" -> new Conversion(THIRTY_TWO, FIVE_NINTHS, BigDecimal.ONE, null);
                case "K" -> new Conversion(KELVIN_AT_ZERO_CELSIUS, BigDecimal.ONE, BigDecimal.ONE, null);
                default -> Conversion.failed("unit '" + unit + "' is not a temperature unit (Cel, [degF] or K)");
            };
        }
        String invalid = ucum.validate(unit);
        if (invalid != null) {
            return Conversion.failed("unit '" + unit + "' is not a UCUM unit");
        }
        try {
            if (ucum.isComparable(unit, target)) {
                return Conversion.factor(factor(unit, target));
            }
            if (kind == Kind.GLUCOSE && ucum.isComparable(unit, "mg/dL")) {
                return new Conversion(BigDecimal.ZERO, factor(unit, "mg/dL"), GLUCOSE_MG_DL_PER_MMOL_L, null);
            }
        } catch (UcumException e) {
            return Conversion.failed("unit '" + unit + "' cannot be converted to " + target);
        }
        return Conversion.failed("unit '" + unit + "' cannot be converted to " + target + " for " + kind.wireName());
    }

    private BigDecimal factor(String from, String to) throws UcumException {
        return new BigDecimal(ucum.convert(new Decimal(ONE), from, to).asDecimal());
    }

    /** canonical = (value − offset) × factor ÷ divisor; or a failure to report. */
    private record Conversion(BigDecimal offset, BigDecimal factor, BigDecimal divisor, String failure) {
        static Conversion factor(BigDecimal factor) {
            return new Conversion(BigDecimal.ZERO, factor, BigDecimal.ONE, null);
        }

        static Conversion failed(String why) {
            return new Conversion(null, null, null, why);
        }
    }
}
