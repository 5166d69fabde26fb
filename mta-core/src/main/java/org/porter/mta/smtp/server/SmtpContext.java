package org.porter.mta.smtp.server;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import org.porter.mta.api.Devices;
import org.porter.mta.api.net.ConnectionLimiter;
import org.porter.mta.config.MtaSettings;
import org.porter.mta.intake.Intake;
import org.porter.mta.routing.Router;

/**
 * What the SMTP handlers share: shared by all connections, so nothing per-session lives here.
 * {@code devices}: the registered devices' profiles, looked up per connection ({@link SmtpSession#device});
 * {@code fax}: the fax recipients' capabilities, for RCPT TO ... CONNEG (RFC 4141).
 */
public record SmtpContext(ListenerKind kind, String hostname, MtaSettings settings, Router router, Intake intake, Path spoolDir,
        Clock clock, Supplier<List<String>> localDomains, ConnectionLimiter connections,
        org.porter.mta.api.Directory directory, AuthThrottle authThrottle, Devices devices,
        org.porter.mta.api.FaxCapabilities fax) {

    /** A context without registered devices or fax recipients. */
    public SmtpContext(ListenerKind kind, String hostname, MtaSettings settings, Router router, Intake intake, Path spoolDir,
            Clock clock, Supplier<List<String>> localDomains, ConnectionLimiter connections,
            org.porter.mta.api.Directory directory, AuthThrottle authThrottle) {
        this(kind, hostname, settings, router, intake, spoolDir, clock, localDomains, connections, directory, authThrottle,
                NO_DEVICES, NO_FAX);
    }

    private static final org.porter.mta.api.FaxCapabilities NO_FAX = new org.porter.mta.api.FaxCapabilities() {
        @Override
        public String set(String address, String expression) {
            throw new UnsupportedOperationException("no fax recipients here");
        }

        @Override
        public Optional<String> forAddress(String address) {
            return Optional.empty();
        }

        @Override
        public List<Entry> list() {
            return List.of();
        }

        @Override
        public void remove(String address) {
            throw new UnsupportedOperationException("no fax recipients here");
        }
    };

    private static final Devices NO_DEVICES = new Devices() {
        @Override
        public void add(Device device) {
            throw new UnsupportedOperationException("no device registry here");
        }

        @Override
        public List<Device> list() {
            return List.of();
        }

        @Override
        public Optional<Device> find(String name) {
            return Optional.empty();
        }

        @Override
        public void remove(String name) {
            throw new UnsupportedOperationException("no device registry here");
        }

        @Override
        public Optional<Device> forAddress(java.net.InetAddress address) {
            return Optional.empty();
        }
    };
}
