package no.knutepunkt.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;

/**
 * The operating-system account the PostgreSQL server runs under. PostgreSQL refuses to run as root
 * (a compromised server must not own the machine), and our machines and containers often run the
 * JVM as root; then the server runs as nobody instead, and everything it touches must be reachable
 * by nobody.
 */
final class PostgresAccount {

    /** nobody:nogroup on Debian and most distributions. */
    static final int NOBODY = 65534;

    private final boolean switchFromRoot;
    private final List<String> switchCommand;

    private PostgresAccount(boolean switchFromRoot, List<String> switchCommand) {
        this.switchFromRoot = switchFromRoot;
        this.switchCommand = switchCommand;
    }

    static PostgresAccount forThisProcess() {
        if (currentUid() != 0) {
            return new PostgresAccount(false, List.of());
        }
        Path setpriv = onPath("setpriv");
        if (setpriv != null) {
            return new PostgresAccount(true, List.of(setpriv.toString(), "--reuid=" + NOBODY, "--regid=" + NOBODY,
                    "--clear-groups", "--"));
        }
        Path runuser = onPath("runuser");
        if (runuser != null) {
            return new PostgresAccount(true, List.of(runuser.toString(), "-u", "nobody", "--"));
        }
        throw new IllegalStateException("running as root, and neither setpriv nor runuser (util-linux) is installed "
                + "to run PostgreSQL as nobody; install util-linux or run as an ordinary user");
    }

    boolean switchesFromRoot() {
        return switchFromRoot;
    }

    /** The command line that runs {@code command} as this account. */
    List<String> command(List<String> command) {
        List<String> full = new ArrayList<>(switchCommand);
        full.addAll(command);
        return full;
    }

    /** Gives {@code path} (not its contents) to this account. */
    void own(Path path) {
        if (!switchFromRoot) {
            return;
        }
        try {
            Files.setAttribute(path, "unix:uid", NOBODY);
            Files.setAttribute(path, "unix:gid", NOBODY);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot give " + path + " to nobody (uid " + NOBODY + ")", e);
        }
    }

    /**
     * Whether this account can reach {@code dir}: every existing ancestor must be searchable by
     * others. /root, for one, is not, so a data dir under a home directory fails here.
     */
    boolean canReach(Path dir) {
        return firstBlockingAncestor(dir) == null;
    }

    void checkCanReach(Path dir, String what) {
        Path blocking = firstBlockingAncestor(dir);
        if (blocking != null) {
            throw new IllegalStateException("running as root, so PostgreSQL runs as nobody, but nobody cannot enter "
                    + blocking + " on the way to " + what + " " + dir
                    + "; set EMBEDDED_DATA_DIR to a directory everyone can reach, e.g. /var/tmp/knutepunkt");
        }
    }

    private Path firstBlockingAncestor(Path dir) {
        if (!switchFromRoot) {
            return null;
        }
        Path existing = dir.toAbsolutePath().normalize();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return null;
        }
        try {
            for (Path p = existing.toRealPath(); p != null; p = p.getParent()) {
                if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)
                        && !ownedByNobody(p)) {
                    return p;
                }
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot inspect " + dir, e);
        }
    }

    private static boolean ownedByNobody(Path p) throws IOException {
        return ((Integer) Files.getAttribute(p, "unix:uid")) == NOBODY;
    }

    private static int currentUid() {
        try {
            // /proc/self belongs to the process's effective user; no native call or extra module needed.
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    private static Path onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/bin:/bin:/usr/sbin:/sbin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, program);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }
}
