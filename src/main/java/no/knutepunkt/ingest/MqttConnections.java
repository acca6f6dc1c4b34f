package no.knutepunkt.ingest;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;

/** Connection options shared by the consumers and the receipt publisher: URL, credentials, TLS. */
@ApplicationScoped
public class MqttConnections {

    private final MqttConfig config;

    public MqttConnections(MqttConfig config) {
        this.config = config;
    }

    MqttConnectionOptions options() {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setServerURIs(new String[] { config.url() });
        config.username().filter(u -> !u.isBlank()).ifPresent(o::setUserName);
        config.password().filter(p -> !p.isBlank()).ifPresent(p -> o.setPassword(p.getBytes(StandardCharsets.UTF_8)));
        o.setAutomaticReconnect(true);
        o.setAutomaticReconnectDelay(1, 30);
        o.setConnectionTimeout(10);
        o.setKeepAliveInterval(30);
        if (config.url().startsWith("ssl://")) {
            o.setSocketFactory(tls().getSocketFactory());
            o.setHttpsHostnameVerificationEnabled(true);
        }
        return o;
    }

    private SSLContext tls() {
        try {
            TrustManagerFactory tmf = null;
            if (config.tls().trustStore().filter(s -> !s.isBlank()).isPresent()) {
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(load(config.tls().trustStore().get(), config.tls().trustStorePassword().orElse("")));
            }
            KeyManagerFactory kmf = null;
            if (config.tls().keyStore().filter(s -> !s.isBlank()).isPresent()) {
                String password = config.tls().keyStorePassword().orElse("");
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(load(config.tls().keyStore().get(), password), password.toCharArray());
            }
            SSLContext ctx = SSLContext.getInstance(config.tls().protocol());
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("MQTT TLS configuration is not usable", e);
        }
    }

    private static KeyStore load(String path, String password) throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance(path.endsWith(".jks") ? "JKS" : "PKCS12");
        try (InputStream in = new FileInputStream(path)) {
            ks.load(in, password.toCharArray());
        }
        return ks;
    }
}
