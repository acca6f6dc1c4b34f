package no.knutepunkt.store;

import java.util.Optional;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.flywaydb.core.api.configuration.FluentConfiguration;

import io.quarkus.flyway.FlywayConfigurationCustomizer;

/**
 * Migrations run as the schema's owner (knutepunkt.db.owner-user), not as the role the hub
 * connects with, which owns nothing. Set here rather than with quarkus.flyway.username, which
 * refuses an empty password — and the embedded and local servers trust loopback connections.
 */
@Singleton
public class MigrationOwner implements FlywayConfigurationCustomizer {

    private final String url;
    private final String owner;
    private final String password;

    MigrationOwner(@ConfigProperty(name = "quarkus.datasource.jdbc.url") String url,
            @ConfigProperty(name = "knutepunkt.db.owner-user") String owner,
            @ConfigProperty(name = "knutepunkt.db.owner-password") Optional<String> password) {
        this.url = url;
        this.owner = owner;
        this.password = password.orElse("");
    }

    @Override
    public void customize(FluentConfiguration configuration) {
        configuration.dataSource(url, owner, password);
    }
}
