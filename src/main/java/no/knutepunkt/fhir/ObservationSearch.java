package no.knutepunkt.fhir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * One Observation search, normalised: which rows, in which order, how many per page. It is also
 * the search id of its paging links ({@link #token()}), so that any hub instance can serve the next
 * page without having kept anything: paging is stateless.
 *
 * @param patient         the patient's id, or null when only {@code identifier} bounds the search
 * @param kinds           the {@code ObservationKind} keys searched; empty matches nothing
 * @param identifierVendor the vendor of an {@code identifier} search, or null for any vendor
 * @param identifierValue the Observation identifier value searched, or null
 * @param from            effective at or after, or null
 * @param to              effective before, or null
 * @param ascending       oldest first ({@code _sort=date}) rather than newest first
 * @param count           page size
 */
record ObservationSearch(UUID patient, List<String> kinds, String identifierVendor, String identifierValue, Instant from,
        Instant to, boolean ascending, int count) {

    private static final int VERSION = 1;

    ObservationSearch {
        kinds = List.copyOf(kinds);
        if (patient == null && identifierValue == null) {
            throw new IllegalArgumentException("an Observation search needs a patient or an identifier");
        }
    }

    /** Opaque, URL-safe: the search id in this search's paging links. */
    String token() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            writeNullable(out, patient == null ? null : patient.toString());
            out.writeByte(kinds.size());
            for (String k : kinds) {
                out.writeUTF(k);
            }
            writeNullable(out, identifierVendor);
            writeNullable(out, identifierValue);
            writeInstant(out, from);
            writeInstant(out, to);
            out.writeBoolean(ascending);
            out.writeInt(count);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.toByteArray());
    }

    /** The search a {@link #token()} stands for, or null if it is not one. */
    static ObservationSearch fromToken(String token) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(Base64.getUrlDecoder().decode(token)))) {
            if (in.readByte() != VERSION) {
                return null;
            }
            String patient = readNullable(in);
            int n = in.readByte();
            List<String> kinds = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                kinds.add(in.readUTF());
            }
            return new ObservationSearch(patient == null ? null : UUID.fromString(patient), kinds, readNullable(in),
                    readNullable(in), readInstant(in), readInstant(in), in.readBoolean(), in.readInt());
        } catch (IOException | IllegalArgumentException e) {
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

    /**
     * Where a page starts: just after ({@code before == false}) or just before a row, in the
     * search's order. Keyset rather than offset, so readings stored while a client pages neither
     * repeat nor skip rows.
     */
    record Cursor(boolean before, Instant effective, UUID id) {

        String pageId() {
            return (before ? "b" : "a") + effective.getEpochSecond() + "." + effective.getNano() + "." + id;
        }

        /** The cursor a page id stands for, or null. */
        static Cursor parse(String pageId) {
            try {
                String[] p = pageId.substring(1).split("\\.", 3);
                boolean before = pageId.charAt(0) == 'b';
                if (!before && pageId.charAt(0) != 'a' || p.length != 3) {
                    return null;
                }
                return new Cursor(before, Instant.ofEpochSecond(Long.parseLong(p[0]), Integer.parseInt(p[1])),
                        UUID.fromString(p[2]));
            } catch (RuntimeException e) {
                return null;
            }
        }
    }
}
