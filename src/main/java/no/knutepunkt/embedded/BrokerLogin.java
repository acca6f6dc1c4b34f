package no.knutepunkt.embedded;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;

import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.services.Services;

import no.knutepunkt.registry.VendorLogin;

/**
 * Who may connect to the embedded broker: the hub with its own account, and a vendor whose user name
 * is its registered vendor id and whose password is its active credential. Everyone else is refused
 * at CONNECT — anonymous (CONNACK 0x87 not authorized), a wrong, revoked or never-issued secret and a
 * user name that is no vendor (0x86 bad user name or password) — and counted. A client let in gets
 * its account noted on its connection, for {@link TopicAuthorizer}, and the same rules as HiveMQ
 * default permissions ({@link DefaultPermissions}).
 */
final class BrokerLogin implements SimpleAuthenticator {

    static final String ACCOUNT_ATTRIBUTE = "knutepunkt.account";
    static final String HUB_ATTRIBUTE = "knutepunkt.account.hub";

    private static final Logger LOG = Logger.getLogger(BrokerLogin.class);
    /** As a vendor id (device-contract.md): anything else is not worth a database look-up. */
    private static final Pattern VENDOR_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(10);

    private final HubAccount hub;
    private final AccountDatabase vendors;

    BrokerLogin(HubAccount hub, AccountDatabase vendors) {
        this.hub = hub;
        this.vendors = vendors;
    }

    @Override
    public void onConnect(SimpleAuthInput input, SimpleAuthOutput output) {
        Optional<String> username = input.getConnectPacket().getUserName().filter(u -> !u.isEmpty());
        String password = input.getConnectPacket().getPassword().map(BrokerLogin::text).orElse(null);
        if (username.isEmpty()) {
            refuse(output, BrokerRefusals.UNKNOWN, ConnackReasonCode.NOT_AUTHORIZED, "anonymous");
            return;
        }
        String name = username.get();
        if (name.equals(hub.username())) {
            if (hub.accepts(password)) {
                admit(input, output, BrokerAccount.hub(name));
            } else {
                refuse(output, name, ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, "the hub's account with a wrong secret");
            }
            return;
        }
        if (!VENDOR_ID.matcher(name).matches() || password == null) {
            refuse(output, BrokerRefusals.UNKNOWN, ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, "no vendor id, or no password");
            return;
        }
        // The look-up is blocking JDBC: off HiveMQ's own threads, which must never wait.
        Async<SimpleAuthOutput> async = output.async(LOOKUP_TIMEOUT, TimeoutFallback.FAILURE, ConnackReasonCode.SERVER_UNAVAILABLE);
        Services.extensionExecutorService().submit(() -> {
            try {
                checkVendor(input, output, name, password);
            } finally {
                async.resume();
            }
        });
    }

    private void checkVendor(SimpleAuthInput input, SimpleAuthOutput output, String vendorId, String password) {
        VendorLogin login;
        try {
            login = vendors.find(vendorId);
        } catch (SQLException e) {
            // Not the client's fault: not counted as a refusal. Before the hub has migrated, the table is missing.
            LOG.warnf("cannot check a vendor's broker login: the database at %s answered SQLState %s", vendors, e.getSQLState());
            output.failAuthentication(ConnackReasonCode.SERVER_UNAVAILABLE, "cannot check credentials now");
            return;
        }
        if (!login.registered()) {
            refuse(output, BrokerRefusals.UNKNOWN, ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, "not a registered vendor");
        } else if (!login.accepts(password)) {
            refuse(output, vendorId, ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD,
                    login.secretHash() == null ? "no active credential" : "not its active secret");
        } else {
            admit(input, output, BrokerAccount.vendor(vendorId));
        }
    }

    private static void admit(SimpleAuthInput input, SimpleAuthOutput output, BrokerAccount account) {
        var attributes = input.getConnectionInformation().getConnectionAttributeStore();
        attributes.putAsString(ACCOUNT_ATTRIBUTE, account.name());
        attributes.putAsString(HUB_ATTRIBUTE, Boolean.toString(account.hub()));
        DefaultPermissions.apply(account, output.getDefaultPermissions());
        output.authenticateSuccessfully();
    }

    /** {@code account}: already a registered vendor id, the hub, or {@link BrokerRefusals#UNKNOWN}; never a stranger's user name. */
    private static void refuse(SimpleAuthOutput output, String account, ConnackReasonCode code, String why) {
        BrokerRefusals.record(BrokerRefusals.CONNECT_REFUSED, account);
        LOG.debugf("broker refused a CONNECT (account %s): %s", account, why);
        output.failAuthentication(code, code == ConnackReasonCode.NOT_AUTHORIZED ? "a user name and password are required"
                : "bad user name or password");
    }

    private static String text(ByteBuffer password) {
        ByteBuffer copy = password.asReadOnlyBuffer();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
