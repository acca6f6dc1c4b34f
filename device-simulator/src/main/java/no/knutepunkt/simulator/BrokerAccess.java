package no.knutepunkt.simulator;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;

/**
 * Where the broker is and how to log in to it, as a vendor's own device or cloud would: a URL
 * ({@code tcp://} or {@code ssl://}), optional credentials, and for TLS optional trust and key
 * stores (PKCS#12 or JKS; a client certificate only when the broker asks for one).
 */
public record BrokerAccess(String url, String username, String password, String trustStore, String trustStorePassword,
        String keyStore, String keyStorePassword) {

    public static BrokerAccess of(String url) {
        return new BrokerAccess(url, null, null, null, null, null, null);
    }

    /** The same broker and TLS settings, logged in as the vendor: its vendor id is its user name (security.md). */
    public BrokerAccess forVendor(String vendorId, String secret) {
        return new BrokerAccess(url, vendorId, secret, trustStore, trustStorePassword, keyStore, keyStorePassword);
    }

    /** Connection options with the credentials and TLS settings; the caller decides sessions and reconnects. */
    public MqttConnectionOptions options() {
        MqttConnectionOptions o = new MqttConnectionOptions();
        if (present(username)) {
            o.setUserName(username);
        }
        if (present(password)) {
            o.setPassword(password.getBytes(StandardCharsets.UTF_8));
        }
        if (present(trustStore) || present(keyStore)) {
            o.setSocketFactory(tls().getSocketFactory());
        }
        return o;
    }

    private SSLContext tls() {
        try {
            TrustManagerFactory trust = null;
            if (present(trustStore)) {
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(load(trustStore, trustStorePassword));
            }
            KeyManagerFactory keys = null;
            if (present(keyStore)) {
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(load(keyStore, keyStorePassword), chars(keyStorePassword));
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS settings not usable: " + e.getMessage(), e);
        }
    }

    /** The JDK tells PKCS#12 from JKS by the file's content. */
    private static KeyStore load(String file, String password) throws GeneralSecurityException {
        try {
            return KeyStore.getInstance(new File(file), chars(password));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read key store " + file, e);
        }
    }

    private static char[] chars(String password) {
        return password == null ? new char[0] : password.toCharArray();
    }

    private static boolean present(String s) {
        return s != null && !s.isBlank();
    }

    /** For reports: never the password. */
    @Override
    public String toString() {
        return url + (present(username) ? " as " + username : "") + (present(trustStore) || present(keyStore) ? " (TLS)" : "");
    }
}
