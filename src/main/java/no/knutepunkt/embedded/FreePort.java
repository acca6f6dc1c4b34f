package no.knutepunkt.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * A loopback port nobody listens on right now. Servers we start as separate processes (PostgreSQL,
 * Mosquitto) or that cannot report the port they bound (HiveMQ) need a number up front, so we ask
 * the kernel for one and release it; another process could take it in between, which on a test
 * machine is rare enough to accept.
 */
public final class FreePort {

    private FreePort() {
    }

    public static int pick() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
