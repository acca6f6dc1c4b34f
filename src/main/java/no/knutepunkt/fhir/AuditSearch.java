package no.knutepunkt.fhir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

import no.knutepunkt.audit.AuditEntry;
import no.knutepunkt.audit.AuditTrail;

/**
 * One AuditEvent search, normalised, and the search id of its paging links ({@link #token()}), as
 * {@link ObservationSearch} is for Observations: a page link carries the whole search, so paging is
 * stateless and any instance serves any page. Whoever sends a token back is held to the access
 * policy again: the token says what to search, never that the caller may.
 *
 * @param patient the patient's id, or null (the operator's search of every event)
 * @param count   page size
 */
record AuditSearch(UUID patient, Instant from, Instant to, AuditEntry.Outcome outcome, String subject, int count) {

    /** Tells audit tokens from Observation tokens (whose base64 alphabet has no '.'). */
    private static final String PREFIX = "audit.";
    private static final int VERSION = 1;

    AuditTrail.Filter filter() {
        return new AuditTrail.Filter(patient, from, to, outcome, subject);
    }

    AuditSearch withCount(int n) {
        return new AuditSearch(patient, from, to, outcome, subject, n);
    }

    String token() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            writeNullable(out, patient == null ? null : patient.toString());
            writeInstant(out, from);
            writeInstant(out, to);
            out.writeByte(outcome == null ? -1 : outcome.ordinal());
            writeNullable(out, subject);
            out.writeInt(count);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.toByteArray());
    }

    static boolean isToken(String searchId) {
        return searchId != null && searchId.startsWith(PREFIX);
    }

    /** The search a {@link #token()} stands for, or null if it is not one. */
    static AuditSearch fromToken(String token) {
        if (!isToken(token)) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(
                Base64.getUrlDecoder().decode(token.substring(PREFIX.length()))))) {
            if (in.readByte() != VERSION) {
                return null;
            }
            String patient = readNullable(in);
            Instant from = readInstant(in);
            Instant to = readInstant(in);
            int outcome = in.readByte();
            String subject = readNullable(in);
            int count = in.readInt();
            return new AuditSearch(patient == null ? null : UUID.fromString(patient), from, to,
                    outcome < 0 ? null : AuditEntry.Outcome.values()[outcome], subject, count);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The page id of the page after the row with this seq. */
    static String pageAfter(long seq) {
        return "s" + seq;
    }

    /** The seq a page id starts below, or null if it is not one of {@link #pageAfter}. */
    static Long pageStart(String pageId) {
        if (pageId == null || pageId.length() < 2 || pageId.charAt(0) != 's') {
            return null;
        }
        try {
            return Long.parseLong(pageId.substring(1));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static void writeNullable(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    private static void writeInstant(DataOutputStream out, Instant t) throws IOException {
        out.writeBoolean(t != null);
        if (t != null) {
            out.writeLong(t.getEpochSecond());
            out.writeInt(t.getNano());
        }
    }

    private static Instant readInstant(DataInputStream in) throws IOException {
        return in.readBoolean() ? Instant.ofEpochSecond(in.readLong(), in.readInt()) : null;
    }
}
