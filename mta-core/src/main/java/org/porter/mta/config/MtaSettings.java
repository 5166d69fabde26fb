package org.porter.mta.config;

import static org.porter.mta.api.MtaSettingKeys.*;

import java.time.Duration;
import java.util.List;

import org.porter.mta.api.Cidr;
import org.porter.mta.api.SettingDef;
import org.porter.mta.api.Settings;
import org.porter.mta.api.Values;
import org.porter.mta.api.net.TlsCredentials;

/** The mail core's settings: declarations (keys in {@link org.porter.mta.api.MtaSettingKeys}) and typed reads. */
public final class MtaSettings {
    public static List<SettingDef> definitions() {
        return List.of(
                SettingDef.of(MAX_MESSAGE_SIZE, "25M", "largest message SMTP accepts (announced in EHLO SIZE)",
                        Values.size(1024, 2L * 1024 * 1024 * 1024 - 1)).withExamples("10M", "50M", "1G"),
                SettingDef.of(MAX_RECIPIENTS, "100", "most recipients in one SMTP transaction; more get 452 4.5.3"
                        + " (the client sends them in another transaction)", Values.integer(1, 10_000))
                        .withExamples("50", "1000"),
                SettingDef.of(RELAY_NETWORKS, "127.0.0.0/8,::1/128",
                        "clients (CIDR list) that may send mail to non-local domains", Values::networks)
                        .withExamples("127.0.0.0/8,::1/128,192.168.1.0/24", "10.0.0.0/8,2001:db8::/32,192.168.1.10/32"),
                SettingDef.of(SMTP_TIMEOUT, "5m",
                        "SMTP server idle timeout (RFC 5321 4.5.3.2); applies to listeners started after the change",
                        Values.duration(Duration.ofSeconds(1), Duration.ofHours(1))).withExamples("30s", "10m", "1h"),
                SettingDef.of(MAX_ERRORS, "20", "client errors (4xx/5xx replies, except 452 for recipients over"
                        + " smtp.max-recipients) in one SMTP session before it is closed with 421",
                        Values.integer(1, 1000)).withExamples("10", "50"),
                SettingDef.of(MAX_CONNECTIONS, "300", "most simultaneous SMTP connections (all listeners); more get 421;"
                        + " a tenth of them is kept for clients in smtp.relay-networks, so strangers cannot take every one",
                        Values.integer(1, 10_000)).withExamples("50", "1000"),
                SettingDef.of(MAX_CONNECTIONS_PER_IP, "20",
                        "most simultaneous SMTP connections from one address outside the relay networks; more get 421",
                        Values.integer(1, 10_000)).withExamples("5", "100"),
                SettingDef.of(MAX_RECEIVED_HEADERS, "50",
                        "a message with more Received headers is a mail loop and refused (554 5.4.6)",
                        Values.integer(10, 500)).withExamples("30", "100"),
                SettingDef.of(AUTH_REQUIRES_TLS, "true",
                        "offer SMTP AUTH only over TLS (or from the loopback); false allows plain-text logins on the LAN",
                        Values::bool).withExamples("true", "false"),
                SettingDef.of(AUTH_MAX_FAILURES, "5",
                        "failed SMTP AUTH logins of one user name from one client address within smtp.auth-lockout"
                                + " before that name is refused from that address (454) until the window passes;"
                                + " other addresses and other names are not held (0: never lock out)",
                        Values.integer(0, 1000)).withExamples("0", "10"),
                SettingDef.of(AUTH_LOCKOUT, "10m",
                        "how long failed SMTP AUTH logins are remembered, and so how long a lockout lasts",
                        Values.duration(Duration.ofSeconds(1), Duration.ofDays(1))).withExamples("30s", "1h", "1d"),
                SettingDef.of(SUBMISSION_PORT, "2587",
                        "mail submission port (RFC 6409: STARTTLS, AUTH required); 0 = off; applies at restart",
                        Values.portOrOff()).withExamples("587", "0"),
                SettingDef.of(SMTPS_PORT, "2465",
                        "submission port with implicit TLS (RFC 8314); 0 = off; applies at restart", Values.portOrOff())
                        .withExamples("465", "0"),
                SettingDef.of(TLS_CERTIFICATE, "", "PEM certificate chain for TLS (a file's path, e.g."
                        + " /etc/porter/fullchain.pem); empty = the self-signed one Porter generated; applies at restart",
                        Values.file("PEM certificate", TlsCredentials::readCertificates)).withExamples(""),
                SettingDef.of(MIN_FREE_SPACE, "100M",
                        "SMTP refuses new mail (452 4.3.1) while the data folder's disk has less free space than this,"
                        + " so the database never meets a full disk; 0 = no check",
                        Values.size(0, 1L << 50)).withExamples("0", "500M", "2G"),
                SettingDef.of(TLS_KEY, "", "PEM private key for tls.certificate (a file's path, e.g."
                        + " /etc/porter/privkey.pem); empty = the generated one; applies at restart",
                        Values.file("PEM private key", TlsCredentials::readKey)).withExamples(""));
    }

    private final Settings settings;

    public MtaSettings(Settings settings) {
        this.settings = settings;
    }

    public long maxMessageSize() {
        return maxMessageSize.get(settings.get(MAX_MESSAGE_SIZE));
    }

    public long minFreeSpace() {
        return minFreeSpace.get(settings.get(MIN_FREE_SPACE));
    }

    public int maxRecipients() {
        return Integer.parseInt(settings.get(MAX_RECIPIENTS));
    }

    public Duration smtpTimeout() {
        return smtpTimeout.get(settings.get(SMTP_TIMEOUT));
    }

    public int maxErrors() {
        return Integer.parseInt(settings.get(MAX_ERRORS));
    }

    public int maxConnections() {
        return Integer.parseInt(settings.get(MAX_CONNECTIONS));
    }

    public int maxConnectionsPerIp() {
        return Integer.parseInt(settings.get(MAX_CONNECTIONS_PER_IP));
    }

    public int maxReceivedHeaders() {
        return Integer.parseInt(settings.get(MAX_RECEIVED_HEADERS));
    }

    public boolean authRequiresTls() {
        return Boolean.parseBoolean(settings.get(AUTH_REQUIRES_TLS));
    }

    /** Failed SMTP AUTH logins of one name from one address before it is locked out (0: never). */
    public int authMaxFailures() {
        return Integer.parseInt(settings.get(AUTH_MAX_FAILURES));
    }

    /** How long failed SMTP AUTH logins are remembered. */
    public Duration authLockout() {
        return Values.parseDuration(settings.get(AUTH_LOCKOUT));
    }

    public int submissionPort() {
        return Integer.parseInt(settings.get(SUBMISSION_PORT));
    }

    public int smtpsPort() {
        return Integer.parseInt(settings.get(SMTPS_PORT));
    }

    public String tlsCertificate() {
        return settings.get(TLS_CERTIFICATE);
    }

    public String tlsKey() {
        return settings.get(TLS_KEY);
    }

    /** Asked for every RCPT and connection: parsed again only when the setting's text changed. */
    public List<Cidr> relayNetworks() {
        return relayNetworks.get(settings.get(RELAY_NETWORKS));
    }

    // Read for every connection, command or message (a size or a duration is a regular expression match):
    // each parsed again only when the setting's text changed, so a change still applies at once.
    private final Parsed<List<Cidr>> relayNetworks = new Parsed<>(Cidr::parseList);
    private final Parsed<Duration> smtpTimeout = new Parsed<>(Values::parseDuration);
    private final Parsed<Long> maxMessageSize = new Parsed<>(Values::parseSize);
    private final Parsed<Long> minFreeSpace = new Parsed<>(Values::parseSize);

    /** A setting's value as parsed from its text last time, parsed again when the text is another. */
    private static final class Parsed<T> {
        private record Last<T>(String text, T value) {}

        private final java.util.function.Function<String, T> parse;
        private volatile Last<T> last;

        Parsed(java.util.function.Function<String, T> parse) {
            this.parse = parse;
        }

        T get(String text) {
            Last<T> l = last;
            if (l == null || !l.text().equals(text)) {
                l = new Last<>(text, parse.apply(text));
                last = l;
            }
            return l.value();
        }
    }
}
