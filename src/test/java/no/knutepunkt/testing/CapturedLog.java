package no.knutepunkt.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.jboss.logmanager.Logger;
import org.jboss.logmanager.formatters.PatternFormatter;

/**
 * Everything the hub logs while a test runs, as it would reach a log file: each record's level,
 * category, formatted message and, when it has one, the exception with its causes and stack — so
 * a number quoted in an exception's message counts too. Also whatever is written straight to
 * System.out or System.err meanwhile (a printStackTrace, a library that prints).
 * <p>
 * Installed as a handler on the root logger of the JBoss LogManager, which the hub under
 * {@code @QuarkusTest} shares with the test: no file to configure for the whole suite, no offset to
 * keep in a file other test classes append to, and only this test's window is captured. Categories
 * can be turned up for the window ({@link #raise}); they are put back on {@link #close}.
 */
public final class CapturedLog implements AutoCloseable {

    /** One captured line (a record or a printed line), as text. */
    public record Line(String source, String text) {
        @Override
        public String toString() {
            return source + " " + text;
        }
    }

    private static final PatternFormatter TEXT = new PatternFormatter("%s%e");

    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            lines.add(new Line(r.getLevel() + " [" + r.getLoggerName() + "]", text(r)));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final Map<String, Level> raised = new LinkedHashMap<>();
    private final PrintStream out = System.out;
    private final PrintStream err = System.err;

    private CapturedLog() {
        handler.setLevel(Level.ALL);
        Logger.getLogger("").addHandler(handler);
        System.setOut(tee(out, "stdout"));
        System.setErr(tee(err, "stderr"));
    }

    /** Starts capturing. */
    public static CapturedLog start() {
        return new CapturedLog();
    }

    /** Lowers the level of these categories to {@code level} until {@link #close}. */
    public CapturedLog raise(Level level, String... categories) {
        for (String c : categories) {
            Logger logger = Logger.getLogger(c);
            raised.putIfAbsent(c, logger.getLevel());
            logger.setLevel(level);
        }
        return this;
    }

    /** What was captured so far. */
    public List<Line> lines() {
        return new ArrayList<>(lines);
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(handler);
        raised.forEach((c, level) -> Logger.getLogger(c).setLevel(level));
        System.setOut(out);
        System.setErr(err);
    }

    /** The formatted message and the exception with its causes and stack, as a file handler's %s%e writes them. */
    private static String text(LogRecord r) {
        return TEXT.format(r);
    }

    /** Passes everything on, and keeps each line written. */
    private PrintStream tee(PrintStream original, String source) {
        return new PrintStream(new OutputStream() {
            private final ByteArrayOutputStream line = new ByteArrayOutputStream();

            @Override
            public synchronized void write(int b) {
                original.write(b);
                if (b == '\n') {
                    lines.add(new Line(source, line.toString(StandardCharsets.UTF_8)));
                    line.reset();
                } else {
                    line.write(b);
                }
            }

            @Override
            public void flush() {
                original.flush();
            }
        }, true, StandardCharsets.UTF_8);
    }
}
