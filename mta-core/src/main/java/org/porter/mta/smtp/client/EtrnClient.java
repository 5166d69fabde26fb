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
 * <p>The conversation: the opening it shares with ODMR ({@link IspOpening}: greeting, EHLO or HELO,
 * STARTTLS per the request's policy, AUTH only over TLS when a user is given), a check for the ETRN
 * keyword (unless forced), one {@code ETRN <argument>} per argument, QUIT. Each step waits {@code timeouts.ehlo()} at most (the greeting {@code greeting()},
 * the connect {@code connect()}), and the whole conversation {@code total}: the dialer pays for the
 * line while it lasts. Opportunistic TLS whose handshake fails is retried once without TLS, as
 * delivery does. Every command (credentials hidden) and reply is logged.
 */
public final class EtrnClient implements Etrn {
    private static final Logger LOG = LoggerFactory.getLogger(EtrnClient.class);
    public static final int DEFAULT_PORT = 25;

    static final IspOpening.Service SERVICE = new IspOpening.Service("ETRN", "your ISP's server", "etrn", true, true);

    private final ClientTimeouts timeouts;
    private final Duration total;
    private final IspOpening opening;

    /**
     * @param helo     our name in EHLO (Porter's hostname)
     * @param timeouts connect, greeting, and {@code ehlo} for every other reply
     * @param total    the longest the whole conversation may take
     * @param tls      the context for STARTTLS ({@link ClientTls#trustAnyServer()} in Porter)
     */
    public EtrnClient(String helo, ClientTimeouts timeouts, Duration total, SSLContext tls) {
        this.timeouts = timeouts;
        this.total = total;
        this.opening = new IspOpening(SERVICE, helo, timeouts, tls, LOG);
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
        } catch (IspOpening.HandshakeFailed e) {
            if (req.tls() == Tls.REQUIRED) {
                return problem(server, e.getMessage() + " (etrn.tls is required)");
            }
            LOG.info("ETRN: {}; trying again without TLS", e.getMessage());
            try {
                return conversation(req, host, false);
            } catch (IspOpening.HandshakeFailed impossible) {
                throw new IllegalStateException("no TLS was tried", impossible);
            }
        }
    }

    private EtrnResult conversation(EtrnRequest req, Server host, boolean tryTls) throws IspOpening.HandshakeFailed {
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
            } catch (IspOpening.Stop s) {
                opening.quit(c);
                return problem(server, s.getMessage());
            }
        } catch (IOException e) {
            return problem(server, lost(c, e, server));
        }
    }

    private EtrnResult talk(SmtpConnection c, EtrnRequest req, boolean tryTls)
            throws IOException, IspOpening.Stop, IspOpening.HandshakeFailed {
        String server = req.server();
        Capabilities caps = opening.open(c, server, req.tls(), tryTls, req.user(), req.password());
        boolean advertised = caps.has("ETRN");
        if (!advertised) {
            LOG.warn("ETRN: {} does not advertise ETRN{}", server, req.force() ? "; trying anyway (etrn.force)" : "");
            if (!req.force()) {
                throw new IspOpening.Stop("your ISP's server " + server
                        + " does not offer ETRN (not in its EHLO reply); set etrn.force=true to try anyway");
            }
        }
        List<EtrnOutcome> outcomes = new ArrayList<>();
        for (String argument : req.arguments()) {
            Reply r = opening.command(c, argument.isEmpty() ? "ETRN" : "ETRN " + argument);
            EtrnOutcome o = EtrnOutcome.of(argument, r.code(), r.text());
            (o.accepted() ? LOG.atInfo() : LOG.atWarn()).log("ETRN {}: {}", argument, o.message());
            outcomes.add(o);
        }
        opening.quit(c);
        return new EtrnResult(server, advertised, outcomes, "");
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
