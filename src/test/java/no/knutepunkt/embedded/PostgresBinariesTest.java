package no.knutepunkt.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresBinariesTest {

    @TempDir
    Path cache;

    @Test
    void twoRacingInstallsEndWithOneCompleteCopy() throws Exception {
        CyclicBarrier together = new CyclicBarrier(2);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        Path first;
        Path second;
        try {
            List<Future<Path>> installs = threads.invokeAll(List.of(() -> {
                together.await();
                return PostgresBinaries.install(cache);
            }, () -> {
                together.await();
                return PostgresBinaries.install(cache);
            }));
            first = installs.get(0).get();
            second = installs.get(1).get();
        } finally {
            threads.shutdownNow();
        }

        assertThat(first).isEqualTo(second).isEqualTo(cache.resolve("knutepunkt-postgres-" + PostgresBinaries.VERSION));
        try (Stream<Path> entries = Files.list(cache)) {
            assertThat(entries).as("no staging dir left behind").containsExactly(first);
        }
    }

    @Test
    void keepsExecutableBitsAndSymlinksAndLetsEveryoneIn() throws IOException {
        Path home = PostgresBinaries.install(cache);

        assertThat(Files.getPosixFilePermissions(home.resolve("bin/postgres")))
                .contains(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OTHERS_EXECUTE,
                        PosixFilePermission.OTHERS_READ);
        assertThat(Files.getPosixFilePermissions(home))
                .contains(PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE);
        assertThat(Files.isSymbolicLink(home.resolve("lib/libpq.so"))).isTrue();
        assertThat(Files.exists(home.resolve("lib/libpq.so"))).as("link resolves").isTrue();
        assertThat(Files.isRegularFile(home.resolve("share/postgresql/postgres.bki"), LinkOption.NOFOLLOW_LINKS)).isTrue();

        assertThat(PostgresBinaries.install(cache)).as("second call reuses the cache").isEqualTo(home);
    }
}
