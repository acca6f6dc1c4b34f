package no.knutepunkt.registry;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The bulk onboarding file, as a municipality's staff write it in a spreadsheet: one row per device
 * assignment, Norwegian column names, Norwegian words for programmes and consents, dates as Excel
 * writes them. This class reads the file into rows of named values and says what the words mean;
 * what the rows may register is {@link BulkOnboarding}'s business.
 * <p>
 * Columns (in any order; names are matched ignoring case, spaces and æ/ø/å):
 * fodselsnummer, fornavn, etternavn, program, start, fastlege_orgnr, sykehus_orgnr, samtykke_gitt,
 * samtykke_av, representant, samtykke_dokument, leverandor, serienummer; optional samtykke_form,
 * tildelt_fra, tildelt_til.
 */
final class OnboardingCsv {

    static final String FODSELSNUMMER = "fodselsnummer";
    static final String FORNAVN = "fornavn";
    static final String ETTERNAVN = "etternavn";
    static final String PROGRAM = "program";
    static final String START = "start";
    static final String FASTLEGE = "fastlege_orgnr";
    static final String SYKEHUS = "sykehus_orgnr";
    static final String SAMTYKKE_GITT = "samtykke_gitt";
    static final String SAMTYKKE_AV = "samtykke_av";
    static final String REPRESENTANT = "representant";
    static final String SAMTYKKE_FORM = "samtykke_form";
    static final String SAMTYKKE_DOKUMENT = "samtykke_dokument";
    static final String LEVERANDOR = "leverandor";
    static final String SERIENUMMER = "serienummer";
    static final String TILDELT_FRA = "tildelt_fra";
    static final String TILDELT_TIL = "tildelt_til";

    static final List<String> REQUIRED = List.of(FODSELSNUMMER, FORNAVN, ETTERNAVN, PROGRAM, START, FASTLEGE, SYKEHUS, SAMTYKKE_GITT,
            SAMTYKKE_AV, REPRESENTANT, SAMTYKKE_DOKUMENT, LEVERANDOR, SERIENUMMER);
    static final List<String> OPTIONAL = List.of(SAMTYKKE_FORM, TILDELT_FRA, TILDELT_TIL);

    /** The columns that describe the patient and the enrollment: every row of one patient repeats them identically. */
    static final List<String> PATIENT_AND_ENROLLMENT = List.of(FORNAVN, ETTERNAVN, PROGRAM, START, FASTLEGE, SYKEHUS, SAMTYKKE_GITT,
            SAMTYKKE_AV, REPRESENTANT, SAMTYKKE_FORM, SAMTYKKE_DOKUMENT);

    /** Dates are midnight in Norway; a time, when given, must carry its offset. */
    static final ZoneId NORWAY = ZoneId.of("Europe/Oslo");

    private static final DateTimeFormatter NORWEGIAN_DATE = DateTimeFormatter.ofPattern("d.M.uuuu").withResolverStyle(ResolverStyle.STRICT);

    private static final Map<String, String> PROGRAMMES = Map.ofEntries(Map.entry("kols", "copd"), Map.entry("copd", "copd"),
            Map.entry("hjertesvikt", "heart-failure"), Map.entry("heart-failure", "heart-failure"),
            Map.entry("hypertensjon", "hypertension"), Map.entry("høyt blodtrykk", "hypertension"), Map.entry("hypertension", "hypertension"),
            Map.entry("diabetes", "diabetes"), Map.entry("annet", "other"), Map.entry("other", "other"));
    private static final Map<String, String> GIVEN_BY = Map.of("pasient", "patient", "patient", "patient", "representant", "representative",
            "representative", "representative");
    private static final Map<String, String> FORMS = Map.of("skriftlig", "written", "written", "written", "muntlig", "verbal", "verbal",
            "verbal", "digitalt", "digital", "digital", "digital");

    /** A data row: its number as the spreadsheet counts (the header is row 1) and its values by column, stripped; absent ones empty. */
    record Row(int number, Map<String, String> values, int fields) {

        String get(String column) {
            return values.getOrDefault(column, "");
        }

        /** The values that must be the same in every row of one patient. */
        List<String> patientAndEnrollment() {
            return PATIENT_AND_ENROLLMENT.stream().map(this::get).toList();
        }
    }

    /** The file's data rows, and how many fields its header has (a row with another number is refused). */
    record Table(List<Row> rows, int headerFields) {
    }

    /**
     * The whole file is refused: it cannot be read, or is not the format. {@code code} is for
     * programs and the page (not-utf8, no-header, columns, unreadable, too-large, too-many-rows).
     */
    static final class Refused extends RuntimeException {
        private final String code;

        Refused(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        String code() {
            return code;
        }
    }

    private OnboardingCsv() {
    }

    /** Reads the file: UTF-8 (a byte order mark is skipped), a header with the columns, at most {@code maxRows} data rows. */
    static Table read(byte[] bytes, int maxRows) {
        String text = utf8(bytes);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<CsvRecords.Record> records;
        try {
            records = CsvRecords.parse(text, CsvRecords.separator(text), maxRows + 1);
        } catch (CsvRecords.Unreadable e) {
            throw new Refused("unreadable", e.getMessage());
        } catch (CsvRecords.TooMany e) {
            throw new Refused("too-many-rows", "the file has more than " + maxRows + " rows; split it into files of at most " + maxRows);
        }
        if (records.isEmpty() || records.get(0).blank()) {
            throw new Refused("no-header", "the file is empty or its first row is not the header (" + String.join(";", REQUIRED) + ")");
        }
        List<String> header = records.get(0).fields().stream().map(OnboardingCsv::columnName).toList();
        checkColumns(header);
        List<Row> rows = new ArrayList<>();
        for (CsvRecords.Record r : records.subList(1, records.size())) {
            if (r.blank()) {
                continue;
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (int i = 0; i < header.size() && i < r.fields().size(); i++) {
                values.put(header.get(i), r.fields().get(i).strip());
            }
            rows.add(new Row(r.number(), values, r.fields().size()));
        }
        return new Table(rows, header.size());
    }

    /**
     * Strictly UTF-8: a file Excel saved as "CSV (semikolondelt)" is Windows-1252, and its æ, ø and
     * å would otherwise turn into other letters in patients' names without anyone noticing.
     */
    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new Refused("not-utf8", "the file is not UTF-8: in Excel, save it as \"CSV UTF-8 (kommadelt) (*.csv)\" and upload it again");
        }
    }

    private static void checkColumns(List<String> header) {
        List<String> unknown = new ArrayList<>();
        List<String> twice = new ArrayList<>();
        for (int i = 0; i < header.size(); i++) {
            String name = header.get(i);
            if (name.isEmpty() && i == header.size() - 1) {
                continue;
            }
            if (!REQUIRED.contains(name) && !OPTIONAL.contains(name)) {
                unknown.add(name.isEmpty() ? "(column " + (i + 1) + " has no name)" : name);
            } else if (header.indexOf(name) != i) {
                twice.add(name);
            }
        }
        List<String> missing = REQUIRED.stream().filter(c -> !header.contains(c)).toList();
        if (!missing.isEmpty() || !unknown.isEmpty() || !twice.isEmpty()) {
            List<String> said = new ArrayList<>();
            if (!missing.isEmpty()) {
                said.add("missing columns: " + String.join(", ", missing));
            }
            if (!unknown.isEmpty()) {
                said.add("unknown columns: " + String.join(", ", unknown));
            }
            if (!twice.isEmpty()) {
                said.add("columns given twice: " + String.join(", ", twice));
            }
            throw new Refused("columns", String.join("; ", said) + " (the columns are " + String.join(", ", REQUIRED)
                    + ", optionally " + String.join(", ", OPTIONAL) + ")");
        }
    }

    /** A header cell as a column name: "Fødselsnummer" and "fastlege orgnr" are fodselsnummer and fastlege_orgnr. */
    static String columnName(String cell) {
        return cell.strip().toLowerCase(Locale.ROOT).replace("æ", "ae").replace("ø", "o").replace("å", "a")
                .replaceAll("[\\s-]+", "_");
    }

    // --- what the words mean

    /** The registry's programme code for a Norwegian name (or the code itself); null if neither. */
    static String programme(String value) {
        return PROGRAMMES.get(value.strip().toLowerCase(Locale.ROOT));
    }

    /** "pasient" or "representant" (or the registry's codes); null if neither. */
    static String givenBy(String value) {
        return GIVEN_BY.get(value.strip().toLowerCase(Locale.ROOT));
    }

    /** "skriftlig", "muntlig" or "digitalt" (or the registry's codes); empty means written, as a consent with a document is. */
    static String form(String value) {
        return value.isBlank() ? "written" : FORMS.get(value.strip().toLowerCase(Locale.ROOT));
    }

    static final String PROGRAMME_WORDS = "kols, hjertesvikt, hypertensjon, diabetes or annet";
    static final String DATE_FORMATS = "a date as 2026-01-05 or 05.01.2026, or a time with offset as 2026-01-05T08:00:00+01:00";

    /**
     * A date (2026-01-05 or 05.01.2026: midnight in Norway) or a time with offset; empty is null.
     * Throws {@link DateTimeParseException} for anything else.
     */
    static OffsetDateTime time(String value) {
        String v = value.strip();
        if (v.isEmpty()) {
            return null;
        }
        if (v.contains("T")) {
            return Fields.stored(OffsetDateTime.parse(v));
        }
        LocalDate date = v.contains(".") ? LocalDate.parse(v, NORWEGIAN_DATE) : LocalDate.parse(v);
        return date.atStartOfDay(NORWAY).toOffsetDateTime();
    }
}
