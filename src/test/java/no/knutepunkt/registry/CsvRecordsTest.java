package no.knutepunkt.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The CSV reader on RFC 4180's cases and on what Excel writes. */
class CsvRecordsTest {

    @Test
    void theSeparatorIsTheOneTheHeaderUses() {
        assertThat(CsvRecords.separator("a;b;c\n1,5;2;3")).isEqualTo(';');
        assertThat(CsvRecords.separator("a,b,c\n1;2;3")).isEqualTo(',');
        assertThat(CsvRecords.separator("\"a;x\",b,c")).isEqualTo(',');
    }

    @Test
    void quotedFieldsHoldSeparatorsQuotesAndLineBreaks() {
        List<CsvRecords.Record> r = CsvRecords.parse("a;b\r\n\"x;y\";\"say \"\"hi\"\"\"\r\n\"two\nlines\";z\r\n", ';', 10);
        assertThat(r).extracting(CsvRecords.Record::fields).containsExactly(List.of("a", "b"), List.of("x;y", "say \"hi\""),
                List.of("two\nlines", "z"));
        // Numbered as a spreadsheet numbers rows: the record with a line break in it is one row.
        assertThat(r).extracting(CsvRecords.Record::number).containsExactly(1, 2, 3);
    }

    @Test
    void emptyFieldsAndBlankRowsAreKeptAndKnownAsBlank() {
        List<CsvRecords.Record> r = CsvRecords.parse("a;b;c\n;;\n\n1;;\n", ';', 10);
        assertThat(r).extracting(CsvRecords.Record::fields).containsExactly(List.of("a", "b", "c"), List.of("", "", ""), List.of(""),
                List.of("1", "", ""));
        assertThat(r).extracting(CsvRecords.Record::blank).containsExactly(false, true, true, false);
    }

    @Test
    void theLastRecordNeedsNoLineBreak() {
        assertThat(CsvRecords.parse("a;b\n1;2", ';', 10)).extracting(CsvRecords.Record::fields)
                .containsExactly(List.of("a", "b"), List.of("1", "2"));
        assertThat(CsvRecords.parse("a;b\n1;", ';', 10).get(1).fields()).containsExactly("1", "");
    }

    @Test
    void aQuoteInsideAnUnquotedFieldIsText() {
        assertThat(CsvRecords.parse("O\"Neil;b", ';', 10).get(0).fields()).containsExactly("O\"Neil", "b");
    }

    @Test
    void aQuoteNeverClosedIsRefusedNamingItsRow() {
        assertThatThrownBy(() -> CsvRecords.parse("a;b\n1;2\n\"3;4\n5;6\n", ';', 10)).isInstanceOf(CsvRecords.Unreadable.class)
                .hasMessageContaining("row 3");
    }

    @Test
    void readingStopsAtTheLimit() {
        assertThatThrownBy(() -> CsvRecords.parse("a\n1\n2\n3\n", ';', 3)).isInstanceOf(CsvRecords.TooMany.class);
        assertThat(CsvRecords.parse("a\n1\n2\n", ';', 3)).hasSize(3);
    }

    @Test
    void headerCellsAreColumnNamesWhateverTheirSpelling() {
        assertThat(OnboardingCsv.columnName(" Fødselsnummer ")).isEqualTo("fodselsnummer");
        assertThat(OnboardingCsv.columnName("Fastlege orgnr")).isEqualTo("fastlege_orgnr");
        assertThat(OnboardingCsv.columnName("LEVERANDØR")).isEqualTo("leverandor");
    }
}
