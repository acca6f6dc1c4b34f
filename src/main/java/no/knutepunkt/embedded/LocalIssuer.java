package no.knutepunkt.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import no.knutepunkt.embedded.DemoUsers.DemoUser;

/**
 * A local OIDC issuer standing in for HelseID (health personnel, vendor systems) and ID-porten
 * (citizens) in the one-command demo and in tests; production uses the real providers, and
 * KnutepunktMain refuses to start one under the prod profile. Anyone who can reach it gets a token
 * for any demo user, which is its purpose and why it listens on 127.0.0.1 only.
 * <p>
 * Two realms, each with its own issuer URL ({@code http://127.0.0.1:{port}/helseid} and
 * {@code .../idporten}), discovery, JWKS, a demo user chooser for the code flow, a token endpoint
 * and logout; plus {@code /demo/token?user=nurse} for curl. Tokens have the shapes of the design
 * notes. The signing key and the client secrets are made at the first start and kept in the data
 * dir (mode 600), so a restart changes neither.
 * <p>
 * For tests: {@link #claims(String)}, {@link #header()} and {@link #sign(Map, Map)} forge the tokens
 * the hub must refuse (wrong typ, unknown kid, wrong iss or aud, expired) with the real key.
 * Thread-safe.
 *
 * <pre>
 * LocalIssuer issuer = LocalIssuer.start(LocalIssuer.Settings.of(0, dataDir, Path.of("deploy/seed/demo-users.json")));
 * String bearer = issuer.token("nurse");
 * issuer.issuerUrl(LocalIssuer.Realm.HELSEID); // http://127.0.0.1:{port}/helseid
 * issuer.stop();
 * </pre>
 */
public final class LocalIssuer implements AutoCloseable {

    /** The hub's own client, for the code flow in both realms. */
    public static final String WEB_CLIENT_ID = "knutepunkt-web";

    private static final Logger LOG = Logger.getLogger(LocalIssuer.class);
    private static final int THREADS = 4;

    /** The two identity providers the issuer plays; the path names the realm in every URL. */
    public enum Realm {
        HELSEID("helseid", "HelseID"),
        IDPORTEN("idporten", "ID-porten");

        private final String path;
        private final String displayName;

        Realm(String path, String displayName) {
            this.path = path;
            this.displayName = displayName;
        }

        public String path() {
            return path;
        }

        public String displayName() {
            return displayName;
        }

        public static Optional<Realm> of(String path) {
            for (Realm realm : values()) {
                if (realm.path.equals(path)) {
                    return Optional.of(realm);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * How to run the issuer.
     *
     * @param port on 127.0.0.1; 0 picks a free one
     * @param dataDir holds signing-key.json and clients.json (created, mode 700, if missing)
     * @param usersFile the demo users and vendor clients (deploy/seed/demo-users.json)
     * @param tokenLifetime of access and ID tokens
     * @param helseidAudience {@code aud} of HelseID-realm access tokens
     * @param idportenAudience {@code aud} of ID-porten-realm access tokens
     * @param allowedRedirectOrigins where browsers may be sent back to: loopback origins, a
     *        trailing colon meaning any port
     * @param clock for token times and code expiry
     */
    public record Settings(int port, Path dataDir, Path usersFile, Duration tokenLifetime, String helseidAudience,
            String idportenAudience, List<String> allowedRedirectOrigins, Clock clock) {

        public static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofHours(1);
        public static final String DEFAULT_HELSEID_AUDIENCE = "nhn:knutepunkt";
        public static final String DEFAULT_IDPORTEN_AUDIENCE = "knutepunkt";
        public static final List<String> DEFAULT_REDIRECT_ORIGINS = List.of("http://localhost:", "http://127.0.0.1:");

        public Settings {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port);
            }
            Objects.requireNonNull(dataDir, "dataDir");
            Objects.requireNonNull(usersFile, "usersFile");
            if (tokenLifetime == null || tokenLifetime.toSeconds() < 1) {
                throw new IllegalArgumentException("a token lifetime of at least a second, not " + tokenLifetime);
            }
            Objects.requireNonNull(helseidAudience, "helseidAudience");
            Objects.requireNonNull(idportenAudience, "idportenAudience");
            allowedRedirectOrigins.forEach(LoopbackRedirects::checkAllowedOrigin);
            allowedRedirectOrigins = List.copyOf(allowedRedirectOrigins);
            Objects.requireNonNull(clock, "clock");
        }

        /** The defaults: tokens for an hour, the design's audiences, any loopback port as redirect target. */
        public static Settings of(int port, Path dataDir, Path usersFile) {
            return new Settings(port, dataDir, usersFile, DEFAULT_TOKEN_LIFETIME, DEFAULT_HELSEID_AUDIENCE,
                    DEFAULT_IDPORTEN_AUDIENCE, DEFAULT_REDIRECT_ORIGINS, Clock.systemUTC());
        }

        public Settings withTokenLifetime(Duration lifetime) {
            return new Settings(port, dataDir, usersFile, lifetime, helseidAudience, idportenAudience,
                    allowedRedirectOrigins, clock);
        }

        public Settings withAudiences(String helseid, String idporten) {
            return new Settings(port, dataDir, usersFile, tokenLifetime, helseid, idporten, allowedRedirectOrigins,
                    clock);
        }

        public Settings withAllowedRedirectOrigins(List<String> origins) {
            return new Settings(port, dataDir, usersFile, tokenLifetime, helseidAudience, idportenAudience, origins,
                    clock);
        }

        public Settings withClock(Clock newClock) {
            return new Settings(port, dataDir, usersFile, tokenLifetime, helseidAudience, idportenAudience,
                    allowedRedirectOrigins, newClock);
        }

        public String audience(Realm realm) {
            return realm == Realm.HELSEID ? helseidAudience : idportenAudience;
        }
    }

    private final Settings settings;
    private final HttpServer server;
    private final ExecutorService executor;
    private final DemoUsers users;
    private final LocalIssuerKeys keys;
    private final ClientSecrets secrets;
    private final TokenClaims claims;
    private final DiscoveryEndpoint discovery;
    private final AuthorizeEndpoint authorize;
    private final TokenEndpoint tokenEndpoint;
    private final LogoutEndpoint logout;
    private final DemoTokenEndpoint demoToken;
    private boolean stopped;

    private LocalIssuer(Settings settings, HttpServer server, ExecutorService executor, DemoUsers users,
            LocalIssuerKeys keys, ClientSecrets secrets) {
        this.settings = settings;
        this.server = server;
        this.executor = executor;
        this.users = users;
        this.keys = keys;
        this.secrets = secrets;
        this.claims = new TokenClaims("http://127.0.0.1:" + server.getAddress().getPort(), settings);
        AuthorizationCodes codes = new AuthorizationCodes(settings.clock());
        LoopbackRedirects redirects = new LoopbackRedirects(settings.allowedRedirectOrigins());
        this.discovery = new DiscoveryEndpoint(claims, users, keys);
        this.authorize = new AuthorizeEndpoint(users, redirects, codes, settings.clock());
        this.tokenEndpoint = new TokenEndpoint(users, secrets, codes, claims, keys);
        this.logout = new LogoutEndpoint(redirects);
        this.demoToken = new DemoTokenEndpoint(users, claims, keys);
    }

    /**
     * Reads the users file, loads or makes the key and secrets, and listens.
     *
     * @throws IllegalStateException when the port is taken
     * @throws IllegalArgumentException when the users file is wrong (saying where)
     */
    public static LocalIssuer start(Settings settings) {
        DemoUsers users = DemoUsers.read(settings.usersFile());
        Path dataDir = settings.dataDir().toAbsolutePath().normalize();
        LocalIssuerKeys keys = LocalIssuerKeys.loadOrCreate(dataDir);
        List<String> clientIds = new ArrayList<>(List.of(WEB_CLIENT_ID));
        clientIds.addAll(users.clientIds());
        ClientSecrets secrets = ClientSecrets.loadOrCreate(dataDir, clientIds);

        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] { 127, 0, 0, 1 }),
                    settings.port()), 0);
        } catch (BindException e) {
            throw new IllegalStateException("the local OIDC issuer cannot listen on 127.0.0.1:" + settings.port()
                    + " (taken?); set knutepunkt.local-issuer.port (LOCAL_ISSUER_PORT)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("the local OIDC issuer cannot listen on 127.0.0.1:" + settings.port(), e);
        }
        AtomicInteger threads = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, task -> {
            Thread thread = new Thread(task, "local-issuer-" + threads.incrementAndGet());
            // A test that forgets stop() must not keep its JVM alive.
            thread.setDaemon(true);
            return thread;
        });
        LocalIssuer issuer = new LocalIssuer(settings, server, executor, users, keys, secrets);
        server.createContext("/", issuer::route);
        server.setExecutor(executor);
        server.start();
        LOG.infof("Local OIDC issuer (demo and tests only, never production) at %s and %s; a token without a browser: "
                + "curl -s 'http://localhost:%d/demo/token?user=nurse'", issuer.issuerUrl(Realm.HELSEID),
                issuer.issuerUrl(Realm.IDPORTEN), issuer.port());
        return issuer;
    }

    /** Stops listening. Safe to call more than once, from any thread. */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        server.stop(0);
        executor.shutdownNow();
    }

    @Override
    public void close() {
        stop();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:{port}}: what the realm paths hang off. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** The realm's {@code iss}, also the base of its discovery URL. */
    public String issuerUrl(Realm realm) {
        return claims.issuer(realm);
    }

    public String jwksUrl(Realm realm) {
        return issuerUrl(realm) + "/jwks";
    }

    public String keyId() {
        return keys.keyId();
    }

    /** The signing key's public JWK (kty, kid, use, alg, n, e) as JSON. */
    public String publicJwk() {
        return IssuerJson.write(keys.publicJwk());
    }

    public RSAPublicKey publicKey() {
        return keys.publicKey();
    }

    /** A new, mutable copy of the default access-token header: alg RS256, this key's kid, typ at+jwt. */
    public Map<String, Object> header() {
        return TokenClaims.accessTokenHeader(keys.keyId());
    }

    /**
     * A new, mutable copy of the claims of {@code userKey}'s access token as the issuer would mint it
     * now (a person as the web client gets it, a vendor system by client_credentials).
     *
     * @throws IllegalArgumentException for a key not in the users file
     */
    public Map<String, Object> claims(String userKey) {
        return claims.access(user(userKey));
    }

    /**
     * Signs {@code claims} with the issuer's key under exactly {@code header}, whatever its typ or
     * kid says.
     *
     * @throws IllegalArgumentException unless the header's alg is RS256
     */
    public String sign(Map<String, Object> header, Map<String, Object> claims) {
        return keys.sign(header, claims);
    }

    /** A ready access token for {@code userKey}, as {@code /demo/token} gives it. */
    public String token(String userKey) {
        return sign(header(), claims(userKey));
    }

    /**
     * The secret of {@link #WEB_CLIENT_ID} or a vendor client, for the hub's process and tests.
     *
     * @throws IllegalArgumentException for an unknown client
     */
    public String clientSecret(String clientId) {
        return secrets.secret(clientId);
    }

    public Settings settings() {
        return settings;
    }

    private DemoUser user(String userKey) {
        return users.byKey(userKey).orElseThrow(() -> new IllegalArgumentException("no demo user " + userKey
                + "; the users file has " + users.all().stream().map(DemoUser::key).collect(Collectors.joining(", "))));
    }

    private void route(HttpExchange http) {
        IssuerExchange exchange = new IssuerExchange(http);
        try {
            String path = exchange.path();
            int slash = path.indexOf('/', 1);
            Optional<Realm> realm = slash < 0 ? Optional.empty() : Realm.of(path.substring(1, slash));
            String endpoint = realm.isPresent() ? path.substring(slash + 1) : path;
            if (realm.isEmpty() && endpoint.equals("/demo/token")) {
                demoToken.handle(exchange);
            } else if (realm.isPresent() && endpoint.equals(".well-known/openid-configuration")) {
                discovery.configuration(realm.get(), exchange);
            } else if (realm.isPresent() && endpoint.equals("jwks")) {
                discovery.jwks(realm.get(), exchange);
            } else if (realm.isPresent() && endpoint.equals("authorize")) {
                authorize.handle(realm.get(), exchange);
            } else if (realm.isPresent() && endpoint.equals("token")) {
                tokenEndpoint.handle(realm.get(), exchange);
            } else if (realm.isPresent() && endpoint.equals("logout")) {
                logout.handle(realm.get(), exchange);
            } else {
                exchange.json(404, Map.of("error", "not_found"));
            }
        } catch (IOException e) {
            LOG.debugf(e, "local issuer: %s %s broke off", http.getRequestMethod(), http.getRequestURI().getRawPath());
        } catch (RuntimeException e) {
            LOG.errorf(e, "local issuer: %s %s failed", http.getRequestMethod(), http.getRequestURI().getRawPath());
            try {
                exchange.json(500, Map.of("error", "server_error"));
            } catch (IOException | RuntimeException alreadyAnswering) {
                // The answer had begun; closing the exchange below ends it.
            }
        } finally {
            http.close();
        }
    }
}
