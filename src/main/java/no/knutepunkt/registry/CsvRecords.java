package no.knutepunkt.registry;

import java.util.ArrayList;
import java.util.List;

/**
 * The records of a CSV text as RFC 4180 writes them: fields separated by one character, a field in
 * double quotes may hold the separator, line breaks and {@code ""} for a quote; records end in CRLF
 * or LF. Records are numbered as a spreadsheet numbers its rows (the header is 1), whatever line
 * breaks quoted fields hold, so that "row 7" in an answer is row 7 in Excel.
 */
final class CsvRecords {

    /** One record; {@code number} counts from 1, the header. */
    record Record(int number, List<String> fields) {

        /** A record without any text: a blank line, or a spreadsheet's empty row (";;;;"). */
        boolean blank() {
            return fields.stream().allMatch(String::isBlank);
        }
    }

    /** The text is not CSV that can be read (a quote never closed). */
    static final class Unreadable extends RuntimeException {
        private final int record;

        Unreadable(int record, String message) {
            super(message, null, false, false);
            this.record = record;
        }

        int record() {
            return record;
        }
    }

    /** More records than allowed; reading stops there. */
    static final class TooMany extends RuntimeException {
        TooMany() {
            super("too many records", null, false, false);
        }
    }

    private CsvRecords() {
    }

    /**
     * The separator the header uses: ';' (what Excel writes where the decimal separator is a comma,
     * as in Norway) or ','. The header's names hold neither, so whichever occurs in its first line
     * (outside quotes) more often is it.
     */
    static char separator(String text) {
        int semicolons = 0;
        int commas = 0;
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '"') {
                quoted = !quoted;
            } else if (!quoted && (ch == '\n' || ch == '\r')) {
                break;
            } else if (!quoted && ch == ';') {
                semicolons++;
            } else if (!quoted && ch == ',') {
                commas++;
            }
        }
        return commas > semicolons ? ',' : ';';
    }

    /** Every record, blank ones included (they keep the numbering); at most {@code maxRecords} or {@link TooMany}. */
    static List<Record> parse(String text, char separator, int maxRecords) {
        List<Record> records = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean inQuotes = false;
        boolean fieldStarted = false;
        int number = 1;
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char ch = text.charAt(i);
            if (inQuotes) {
                if (ch == '"') {
                    if (i + 1 < length && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        inQuotes = false;
                    }
                } else {
                    field.append(ch);
                }
            } else if (ch == separator) {
                fields.add(field.toString());
                field.setLength(0);
                fieldStarted = true;
            } else if (ch == '\r' || ch == '\n') {
                if (ch == '\r' && i + 1 < length && text.charAt(i + 1) == '\n') {
                    i++;
                }
                fields.add(field.toString());
                add(records, new Record(number++, List.copyOf(fields)), maxRecords);
                fields.clear();
                field.setLength(0);
                fieldStarted = false;
            } else if (ch == '"' && field.length() == 0) {
                // A quote opens a quoted field only at its start; elsewhere it is text, as Excel reads it.
                inQuotes = true;
                fieldStarted = true;
            } else {
                field.append(ch);
                fieldStarted = true;
            }
        }
        if (inQuotes) {
            throw new Unreadable(number, "a quoted field that starts in row " + number + " is never closed (a \" is missing)");
        }
        if (fieldStarted || field.length() > 0 || !fields.isEmpty()) {
            fields.add(field.toString());
            add(records, new Record(number, List.copyOf(fields)), maxRecords);
        }
        return records;
    }

    private static void add(List<Record> records, Record r, int max) {
        if (records.size() >= max) {
            throw new TooMany();
        }
        records.add(r);
    }
}
