package org.porter.mta.smtp.client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLContext;

import org.porter.mta.api.Etrn;
import org.porter.mta.api.EtrnOutcome;
import org.porter.mta.api.EtrnRequest;
import org.porter.mta.api.EtrnRequest.Tls;
import org.porter.mta.api.EtrnResult;
import org.porter.mta.message.Addresses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ETRN client (RFC 1985) on the SMTP client's pieces: {@link SmtpConnection} (write watchdog,
 * STARTTLS), {@link ReplyReader} (bounded lines and replies), {@link Capabilities}, {@link ClientAuth}.
 *
 * <p>The conversation: greeting (220), EHLO (HELO when EHLO is refused), STARTTLS per the request's
 * policy and EHLO again, AUTH PLAIN/LOGIN when a user is given (only over TLS: the password never
 * goes out in clear), a check for the ETRN keyword (unless forced), one {@code ETRN <argument>} per
 * argument, QUIT. Each step waits {@code timeouts.ehlo()} at most (the greeting {@code greeting()},
 * the connect {@code connect()}), and the whole conversation {@code total}: the dialer pays for the
 * line while it lasts. Opportunistic TLS whose handshake fails is retried once without TLS, as
 * delivery does. Every command (credentials hidden) and reply is logged.
 */
public final class EtrnClient implements Etrn {
    private static final Logger LOG = LoggerFactory.getLogger(EtrnClient.class);
    public static final int DEFAULT_PORT = 25;

    private final String helo;
    private final ClientTimeouts timeouts;
    private final Duration total;
    private final SSLContext tls;

    /**
     * @param helo     our name in EHLO (Porter's hostname)
     * @param timeouts connect, greeting, and {@code ehlo} for every other reply
     * @param total    the longest the whole conversation may take
     * @param tls      the context for STARTTLS ({@link ClientTls#trustAnyServer()} in Porter)
     */
    public EtrnClient(String helo, ClientTimeouts timeouts, Duration total, SSLContext tls) {
        this.helo = helo;
        this.timeouts = timeouts;
        this.total = total;
        this.tls = tls;
    }

    /** Porter's: a minute per step (the ISP answers ETRN at once), five for the whole, any certificate. */
    public static EtrnClient standard(String helo) {
        return new EtrnClient(helo, ClientTimeouts.all(Duration.ofMinutes(1)), Duration.ofMinutes(5),
                ClientTls.trustAnyServer());
    }

    @Override
    public EtrnResult run(EtrnRequest req) {
        String server = req.server();
        if (server.isBlank()) {
            return problem(server, "no ISP server for ETRN: set etrn.server");
        }
        if (req.arguments().isEmpty()) {
            return problem(server, "no domain to ask for: set etrn.domains");
        }
        Server host;
        try {
            host = host(server);
        } catch (UnknownHostException e) {
            return problem(server, "cannot reach your ISP's server " + server + " for ETRN: unknown host");
        } catch (IllegalArgumentException e) {
            return problem(server, "not host or host:port: " + Addresses.printable(server) + " (see etrn.server)");
        }
        try {
            return conversation(req, host, req.tls() != Tls.NONE);
        } catch (HandshakeFailed e) {
            if (req.tls() == Tls.REQUIRED) {
                return problem(server, e.getMessage() + " (etrn.tls is required)");
            }
            LOG.info("ETRN: {}; trying again without TLS", e.getMessage());
            try {
                return conversation(req, host, false);
            } catch (HandshakeFailed impossible) {
                throw new IllegalStateException("no TLS was tried", impossible);
            }
        }
    }

    /** The TLS handshake failed: opportunistic TLS tries again in clear. */
    private static final class HandshakeFailed extends Exception {
        HandshakeFailed(String message) {
            super(message, null, false, false);
        }
    }

    /** The conversation ended early: {@code why} is for the owner. */
    private static final class Stop extends Exception {
        Stop(String why) {
            super(why, null, false, false);
        }
    }

    private EtrnResult conversation(EtrnRequest req, Server host, boolean tryTls) throws HandshakeFailed {
        String server = req.server();
        SmtpConnection c;
        try {
            c = SmtpConnection.open(host.name(), host.address(), host.port(), timeouts.connect(), timeouts.ehlo());
        } catch (SocketTimeoutException e) {
            return problem(server, "your ISP's server " + server + " did not answer in time");
        } catch (IOException e) {
            return problem(server, "cannot reach your ISP's server " + server + " for ETRN: " + why(e));
        }
        try (c) {
            c.deadline(total);
            try {
                return talk(c, req, tryTls);
            } catch (Stop s) {
                quit(c);
                return problem(server, s.getMessage());
            }
        } catch (IOException e) {
            return problem(server, lost(c, e, server));
        }
    }

    private EtrnResult talk(SmtpConnection c, EtrnRequest req, boolean tryTls) throws IOException, Stop, HandshakeFailed {
        String server = req.server();
        Reply greeting = read(c, timeouts.greeting());
        if (greeting.code() != 220) {
            return problem(server, "your ISP's server " + server + " did not greet us: " + greeting.text());
        }
        Capabilities caps = hello(c, server, true);
        if (tryTls) {
            caps = startTls(c, req, caps);
        }
        if (!req.user().isEmpty()) {
            login(c, req, caps);
        }
        boolean advertised = caps.has("ETRN");
        if (!advertised) {
            LOG.warn("ETRN: {} does not advertise ETRN{}", server, req.force() ? "; trying anyway (etrn.force)" : "");
            if (!req.force()) {
                throw new Stop("your ISP's server " + server
                        + " does not offer ETRN (not in its EHLO reply); set etrn.force=true to try anyway");
            }
        }
        List<EtrnOutcome> outcomes = new ArrayList<>();
        for (String argument : req.arguments()) {
            Reply r = command(c, argument.isEmpty() ? "ETRN" : "ETRN " + argument);
            EtrnOutcome o = EtrnOutcome.of(argument, r.code(), r.text());
            (o.accepted() ? LOG.atInfo() : LOG.atWarn()).log("ETRN {}: {}", argument, o.message());
            outcomes.add(o);
        }
        quit(c);
        return new EtrnResult(server, advertised, outcomes, "");
    }

    /** EHLO, or HELO after a refused EHLO (only before TLS: after it, EHLO is a must). */
    private Capabilities hello(SmtpConnection c, String server, boolean heloAllowed) throws IOException, Stop {
        Reply r = command(c, "EHLO " + helo);
        if (r.code() == 250) {
            return Capabilities.of(r);
        }
        if (heloAllowed) {
            r = command(c, "HELO " + helo);
            if (r.code() == 250) {
                return Capabilities.NONE;
            }
        }
        throw new Stop("your ISP's server refused our greeting: " + r.text());
    }

    /** STARTTLS as {@code delivery.tls} does it; returns the capabilities after it (or before, in clear). */
    private Capabilities startTls(SmtpConnection c, EtrnRequest req, Capabilities caps)
            throws IOException, Stop, HandshakeFailed {
        String server = req.server();
        boolean required = req.tls() == Tls.REQUIRED;
        if (!caps.has("STARTTLS")) {
            if (required) {
                throw new Stop("your ISP's server " + server + " does not offer STARTTLS, and etrn.tls is required");
            }
            return caps;
        }
        Reply r = command(c, "STARTTLS");
        if (r.code() != 220) {
            if (required || r.code() == 421) {
                throw new Stop("your ISP's server " + server + " refused STARTTLS: " + r.text()
                        + (required ? " (etrn.tls is required)" : ""));
            }
            return caps;
        }
        try {
            c.startTls(tls, timeouts.ehlo());
        } catch (IOException e) {
            if (c.timedOut(e)) {
                throw e; // out of time: no second try
            }
            c.close();
            throw new HandshakeFailed("TLS handshake with your ISP's server " + server + " failed: " + why(e));
        }
        LOG.info("ETRN client: TLS {}", c.tlsDescription());
        return hello(c, server, false);
    }

    /** AUTH with etrn.auth-user; the password goes out only over TLS. */
    private void login(SmtpConnection c, EtrnRequest req, Capabilities caps) throws IOException, Stop {
        String server = req.server();
        if (!c.tls()) {
            throw new Stop("Porter sends the ETRN login (etrn.auth-user) only over TLS, and the session with your ISP's"
                    + " server " + server + " is not encrypted" + (req.tls() == Tls.NONE ? " (etrn.tls is none)"
                            : " (it did not offer STARTTLS)"));
        }
        Reply r = ClientAuth.login(c, caps, req.user(), req.password(), timeouts.ehlo());
        if (r == null) {
            throw new Stop("your ISP's server " + server + (caps.has("AUTH")
                    ? " offers no login method Porter supports (PLAIN, LOGIN)" : " does not offer AUTH")
                    + ", but etrn.auth-user is set");
        }
        LOG.info("ETRN client < {}", r);
        if (r.code() != 235) {
            throw new Stop("your ISP's server " + server + " refused the ETRN login (etrn.auth-user, etrn.auth-password): "
                    + r.text());
        }
    }

    private Reply command(SmtpConnection c, String line) throws IOException {
        LOG.info("ETRN client > {}", line);
        return logged(c.command(line, timeouts.ehlo()));
    }

    private Reply read(SmtpConnection c, Duration timeout) throws IOException {
        return logged(c.read(timeout));
    }

    private static Reply logged(Reply r) {
        LOG.info("ETRN client < {}", r);
        return r;
    }

    private void quit(SmtpConnection c) {
        try {
            command(c, "QUIT");
        } catch (IOException | RuntimeException e) {
            LOG.debug("ETRN: QUIT: {}", e.toString());
        }
    }

    private static String lost(SmtpConnection c, IOException e, String server) {
        return IspConnectionLost.sentence(c, e, "your ISP's server " + server, " during ETRN");
    }

    private static EtrnResult problem(String server, String why) {
        LOG.warn("ETRN: {}", why);
        return new EtrnResult(server, false, List.of(), why);
    }

    private static String why(Exception e) {
        return IspConnectionLost.why(e);
    }

    /** The ETRN server, resolved. */
    record Server(String name, InetAddress address, int port) {
    }

    /** host, host:port, [v6] or [v6]:port (port 25 when none is given; the settings' parser), resolved. */
    static Server host(String server) throws UnknownHostException {
        org.porter.mta.api.HostPort hp;
        try {
            hp = org.porter.mta.api.HostPort.parse(server, DEFAULT_PORT);
        } catch (org.porter.mta.api.InvalidRequestException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return new Server(hp.host(), InetAddress.getByName(hp.host()), hp.port());
    }
}
