package no.knutepunkt.store;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Rows in PostgreSQL's binary COPY format: values go over the wire as they are stored, with no
 * escaping or text parsing — the cheapest way into the database for a batch of readings, whose
 * Observation JSON and raw payloads would otherwise be escaped byte by byte.
 */
final class BinaryCopy {

    private static final byte[] SIGNATURE = { 'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0 };
    /** 2000-01-01T00:00:00Z, PostgreSQL's epoch, in microseconds since 1970. */
    private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;
    private static final BigInteger TEN_THOUSAND = BigInteger.valueOf(10_000);

    /**
     * A plain growable buffer (ByteArrayOutputStream synchronises every single-byte write), kept per
     * thread between copies: a writer copies megabytes per batch, and should not allocate them anew.
     */
    private static final ThreadLocal<byte[]> BUFFERS = ThreadLocal.withInitial(() -> new byte[256 * 1024]);
    private static final int KEEP_AT_MOST = 32 * 1024 * 1024;

    private byte[] buf = takeBuffer();
    private int size;

    /** Taken out while in use, so two copies in progress on one thread never share a buffer. */
    private static byte[] takeBuffer() {
        byte[] b = BUFFERS.get();
        BUFFERS.remove();
        return b;
    }
    private final int columns;

    BinaryCopy(int columns) {
        this.columns = columns;
        put(SIGNATURE);
        int32(0);
        int32(0);
    }

    BinaryCopy row() {
        int16(columns);
        return this;
    }

    BinaryCopy uuid(UUID v) {
        if (v == null) {
            return nul();
        }
        int32(16);
        int64(v.getMostSignificantBits());
        int64(v.getLeastSignificantBits());
        return this;
    }

    BinaryCopy text(String v) {
        if (v == null) {
            return nul();
        }
        int n = v.length();
        ensure(4 + n);
        int lengthAt = size;
        size += 4;
        for (int i = 0; i < n; i++) {
            char ch = v.charAt(i);
            if (ch >= 0x80) {
                // Not ASCII: encode the rest the general way.
                size = lengthAt + 4;
                byte[] utf8 = v.getBytes(StandardCharsets.UTF_8);
                ensure(utf8.length);
                System.arraycopy(utf8, 0, buf, size, utf8.length);
                size += utf8.length;
                patchLength(lengthAt, utf8.length);
                return this;
            }
            buf[size++] = (byte) ch;
        }
        patchLength(lengthAt, n);
        return this;
    }

    private void patchLength(int at, int length) {
        buf[at] = (byte) (length >>> 24);
        buf[at + 1] = (byte) (length >>> 16);
        buf[at + 2] = (byte) (length >>> 8);
        buf[at + 3] = (byte) length;
    }

    BinaryCopy bytes(byte[] v) {
        if (v == null) {
            return nul();
        }
        int32(v.length);
        put(v);
        return this;
    }

    BinaryCopy bool(boolean v) {
        int32(1);
        ensure(1);
        buf[size++] = (byte) (v ? 1 : 0);
        return this;
    }

    BinaryCopy int8(Long v) {
        if (v == null) {
            return nul();
        }
        int32(8);
        int64(v);
        return this;
    }

    BinaryCopy timestamptz(OffsetDateTime v) {
        if (v == null) {
            return nul();
        }
        long micros = Math.multiplyExact(v.toEpochSecond(), 1_000_000L) + v.getNano() / 1_000;
        int32(8);
        int64(micros - PG_EPOCH_MICROS);
        return this;
    }

    /** numeric: base-10000 digits with a weight (position of the first digit) and the display scale. */
    BinaryCopy numeric(BigDecimal v) {
        if (v == null) {
            return nul();
        }
        int dscale = Math.max(v.scale(), 0);
        BigDecimal abs = v.abs().setScale(dscale);
        // Shift the fraction to a whole number of base-10000 digits, then split off digits from the right.
        int fractionGroups = (dscale + 3) / 4;
        BigInteger whole = abs.movePointRight(fractionGroups * 4).toBigIntegerExact();
        List<Integer> digits = new ArrayList<>();
        while (whole.signum() > 0) {
            BigInteger[] qr = whole.divideAndRemainder(TEN_THOUSAND);
            digits.add(0, qr[1].intValue());
            whole = qr[0];
        }
        int weight = digits.size() - fractionGroups - 1;
        while (!digits.isEmpty() && digits.get(digits.size() - 1) == 0) {
            digits.remove(digits.size() - 1);
        }
        if (digits.isEmpty()) {
            weight = 0;
        }
        int32(8 + 2 * digits.size());
        int16(digits.size());
        int16(weight);
        int16(v.signum() < 0 ? 0x4000 : 0);
        int16(dscale);
        digits.forEach(this::int16);
        return this;
    }

    private BinaryCopy nul() {
        int32(-1);
        return this;
    }

    /** Sends the rows with COPY … FROM STDIN (FORMAT binary); returns how many were copied. */
    long copyInto(Connection c, String table) throws SQLException {
        int16(-1);
        CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + table + " FROM STDIN (FORMAT binary)");
        try {
            copy.writeToCopy(buf, 0, size);
            return copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
            if (buf.length <= KEEP_AT_MOST) {
                BUFFERS.set(buf);
            }
        }
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }

    private void put(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
    }

    private void int16(int v) {
        ensure(2);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
    }

    private void int32(int v) {
        ensure(4);
        buf[size++] = (byte) (v >>> 24);
        buf[size++] = (byte) (v >>> 16);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
    }

    private void int64(long v) {
        int32((int) (v >>> 32));
        int32((int) v);
    }
}
