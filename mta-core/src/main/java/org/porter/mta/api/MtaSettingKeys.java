package org.porter.mta.api;

/**
 * The keys of mta-core's settings, declared once: the contract for scripts ({@code porter config}),
 * for the web admin's forms and for the other modules that read them (the appliance opens the
 * submission listeners, POP3 allows plain-text logins from the relay networks). Defaults, parsers
 * and examples are declared with each key in mta-core ({@code Mta.open} lists them); read a value
 * with {@link Settings#get}, which applies the default, never with a default of your own.
 */
public final class MtaSettingKeys {
    // Receiving (SMTP)
    public static final String MAX_MESSAGE_SIZE = "smtp.max-message-size";
    public static final String MAX_RECIPIENTS = "smtp.max-recipients";
    public static final String RELAY_NETWORKS = "smtp.relay-networks";
    public static final String SMTP_TIMEOUT = "smtp.timeout";
    public static final String MAX_ERRORS = "smtp.max-errors";
    public static final String MAX_CONNECTIONS = "smtp.max-connections";
    public static final String MAX_CONNECTIONS_PER_IP = "smtp.max-connections-per-ip";
    public static final String MAX_RECEIVED_HEADERS = "smtp.max-received-headers";
    public static final String AUTH_REQUIRES_TLS = "smtp.auth-requires-tls";
    public static final String AUTH_MAX_FAILURES = "smtp.auth-max-failures";
    public static final String AUTH_LOCKOUT = "smtp.auth-lockout";
    public static final String SUBMISSION_PORT = "submission.port";
    public static final String SMTPS_PORT = "smtps.port";
    public static final String TLS_CERTIFICATE = "tls.certificate";
    public static final String TLS_KEY = "tls.key";
    public static final String MIN_FREE_SPACE = "store.min-free-space";

    // Sending (delivery and the queue)
    public static final String DELIVERY_ROUTE = "delivery.route";
    public static final String SMARTHOST = "delivery.smarthost";
    public static final String SMARTHOST_USER = "delivery.smarthost.user";
    public static final String SMARTHOST_PASSWORD = "delivery.smarthost.password";
    public static final String DELIVERY_TLS = "delivery.tls";
    public static final String TRANSPORT_MAP = "delivery.transport-map";
    public static final String MX_PORT = "delivery.mx-port";
    public static final String DNS_SERVERS = "dns.servers";
    public static final String QUEUE_HOLD = "queue.hold";
    public static final String MAX_LIFETIME = "queue.max-lifetime";
    public static final String DELAY_WARNING = "queue.delay-warning";
    public static final String RETRY_MIN = "queue.retry-min";
    public static final String RETRY_MAX = "queue.retry-max";
    public static final String CONCURRENCY = "queue.concurrency";
    public static final String DESTINATION_CONCURRENCY = "queue.destination-concurrency";

    // Collecting the office's mail (ODMR, RFC 2645; read by the dialer's calls and 'porter odmr now')
    public static final String ODMR_SERVER = "odmr.server";
    public static final String ODMR_TLS = "odmr.tls";
    public static final String ODMR_AUTH_USER = "odmr.auth-user";
    public static final String ODMR_AUTH_PASSWORD = "odmr.auth-password";
    public static final String ODMR_DOMAINS = "odmr.domains";

    private MtaSettingKeys() {
    }
}
