package org.porter.mta.smtp.client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.SSLContext;

import org.porter.mta.api.EtrnRequest.Tls;
import org.porter.mta.api.HostPort;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.OdmrResult;
import org.porter.mta.api.OdmrResult.Outcome;
import org.porter.mta.message.Addresses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ODMR client (RFC 2645) on the SMTP client's pieces: {@link SmtpConnection}, {@link ReplyReader},
 * {@link Capabilities}, {@link ClientAuth}; the opening before ATRN is {@link IspOpening}, as for {@link EtrnClient}.
 *
 * <p>The conversation: greeting (220), EHLO, STARTTLS per the request's policy and EHLO again, AUTH
 * (RFC 2645 5: required before ATRN; the password goes out only over TLS), {@code ATRN domain,...}.
 * On 250 the roles turn (RFC 2645 4.3): the connection is handed to the {@link Turn}, which serves it
 * as Porter's SMTP server (greeting, the ISP's EHLO, MAIL, RCPT, DATA, each message committed before
 * its 250) until the ISP says QUIT or {@code limit} runs out. Before the turn every reply is awaited
 * {@code timeouts.ehlo()} at most and the whole part {@code total}.
 * Opportunistic TLS whose handshake fails is retried once without TLS, as ETRN does.
 */
public final class OdmrClient {
    private static final Logger LOG = LoggerFactory.getLogger(OdmrClient.class);
    public static final int DEFAULT_PORT = 366;

    /**
     * What to ask for and how: the settings {@code odmr.*}.
     *
     * @param domains one ATRN argument list (RFC 2645: {@code ATRN d1,d2}); plain domain names
     */
    public record Request(String server, List<String> domains, Tls tls, String user, String password) {
        public Request {
            server = server == null ? "" : server.strip();
            domains = List.copyOf(domains);
            for (String d : domains) {
                if (!Addresses.isDomain(d)) {
                    throw new InvalidRequestException("not a domain for ATRN: " + Addresses.printable(d));
                }
            }
            user = user == null ? "" : user;
            password = password == null ? "" : password;
        }

        @Override
        public String toString() {
            return "OdmrRequest[" + server + " " + domains + ", tls " + tls.word()
                    + (user.isEmpty() ? "" : ", user " + user + ", password hidden") + "]";
        }
    }

    /** After the turn: serves SMTP on the connected socket until the peer quits or {@code limit} passes. */
    @FunctionalInterface
    public interface Turn {
        /** @param peer the ISP's name (logs) */
        Served serve(Socket socket, String peer, Duration limit) throws IOException, InterruptedException;
    }

    /**
     * What the turned connection brought.
     *
     * @param messages messages committed meanwhile (by Porter's intake, so inbound mail arriving
     *                 on other connections at the same time counts too)
     * @param quit     the ISP ended with QUIT; false: the connection dropped or the limit ended it
     */
    public record Served(long messages, boolean quit) {
    }

    static final IspOpening.Service SERVICE = new IspOpening.Service("ODMR", "your ISP's ODMR server", "odmr", false,
            false);

    private final ClientTimeouts timeouts;
    private final Duration total;
    private final IspOpening opening;
    private final Turn turn;

    /**
     * @param total the longest the part before the turn may take
     * @param turn  Porter's SMTP receive path over a connected socket
     */
    public OdmrClient(String helo, ClientTimeouts timeouts, Duration total, SSLContext tls, Turn turn) {
        this.timeouts = timeouts;
        this.total = total;
        this.opening = new IspOpening(SERVICE, helo, timeouts, tls, LOG);
        this.turn = turn;
    }

    /** Porter's: a minute per step and five before the turn, any certificate (as ETRN). */
    public static OdmrClient standard(String helo, Turn turn) {
        return new OdmrClient(helo, ClientTimeouts.all(Duration.ofMinutes(1)), Duration.ofMinutes(5),
                ClientTls.trustAnyServer(), turn);
    }

    /** One conversation; {@code limit} bounds the receiving after the turn. Never throws for the ISP's doing. */
    public OdmrResult run(Request req, Duration limit) {
        String server = req.server();
        if (server.isBlank()) {
            return failed(server, "no ISP server for ODMR: set odmr.server");
        }
        if (req.domains().isEmpty()) {
            return failed(server, "no domain to ask for with ATRN: set odmr.domains or add a local domain");
        }
        if (req.user().isEmpty()) {
            return failed(server, "ODMR needs a login at the ISP before ATRN (RFC 2645): set odmr.auth-user and"
                    + " odmr.auth-password");
        }
        HostPort hp;
        InetAddress address;
        try {
            hp = HostPort.parse(server, DEFAULT_PORT);
            address = InetAddress.getByName(hp.host());
        } catch (InvalidRequestException e) {
            return failed(server, "not host or host:port: " + Addresses.printable(server) + " (see odmr.server)");
        } catch (UnknownHostException e) {
            return failed(server, "cannot reach your ISP's ODMR server " + server + ": unknown host");
        }
        try {
            return conversation(req, hp, address, req.tls() != Tls.NONE, limit);
        } catch (IspOpening.HandshakeFailed e) {
            if (req.tls() == Tls.REQUIRED) {
                return failed(server, e.getMessage() + " (odmr.tls is required)");
            }
            LOG.info("ODMR: {}; trying again without TLS", e.getMessage());
            try {
                return conversation(req, hp, address, false, limit);
            } catch (IspOpening.HandshakeFailed impossible) {
                throw new IllegalStateException("no TLS was tried", impossible);
            }
        }
    }

    /** The conversation ended before the turn with {@code result}. */
    private static final class Stop extends Exception {
        final transient OdmrResult result;

        Stop(OdmrResult result) {
            super(result.message(), null, false, false);
            this.result = result;
        }
    }

    private OdmrResult conversation(Request req, HostPort hp, InetAddress address, boolean tryTls, Duration limit)
            throws IspOpening.HandshakeFailed {
        String server = req.server();
        SmtpConnection c;
        try {
            c = SmtpConnection.open(hp.host(), address, hp.port(), timeouts.connect(), timeouts.ehlo());
        } catch (SocketTimeoutException e) {
            return failed(server, "your ISP's ODMR server " + server + " did not answer in time");
        } catch (IOException e) {
            return failed(server, "cannot reach your ISP's ODMR server " + server + ": " + why(e));
        }
        try (c) {
            c.deadline(total);
            Socket turned;
            try {
                turned = ask(c, req, tryTls);
            } catch (IspOpening.Stop s) {
                opening.quit(c);
                LOG.warn("ODMR: {}", s.getMessage());
                return new OdmrResult(server, s.refused ? Outcome.REFUSED : Outcome.FAILED, 0, s.getMessage());
            } catch (Stop s) {
                opening.quit(c);
                LOG.warn("ODMR: {}", s.getMessage());
                return s.result;
            }
            LOG.info("ODMR: the roles turned; receiving the mail {} holds for {}", server, req.domains());
            Served served = turn.serve(turned, c.label(), limit);
            long n = served.messages();
            String got = n + (n == 1 ? " message" : " messages") + " received by ODMR (ATRN) from " + server;
            if (!served.quit()) {
                LOG.warn("ODMR: {}; the connection ended without QUIT", got);
                return new OdmrResult(server, Outcome.FAILED, n, got + ", then the connection ended before the ISP"
                        + " was done; what was not received comes next time");
            }
            LOG.info("ODMR: {}", got);
            return new OdmrResult(server, Outcome.DELIVERED, n, got);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(server, "Porter stopped while receiving by ODMR; what was not committed comes next time");
        } catch (IOException e) {
            return failed(server, lost(c, e, server));
        }
    }

    /** Up to the ATRN's 250; returns the socket to serve. */
    private Socket ask(SmtpConnection c, Request req, boolean tryTls)
            throws IOException, Stop, IspOpening.Stop, IspOpening.HandshakeFailed {
        opening.open(c, req.server(), req.tls(), tryTls, req.user(), req.password());
        Reply r = opening.command(c, "ATRN " + String.join(",", req.domains()));
        if (r.code() != 250) {
            throw new Stop(atrnRefused(req.server(), req.domains(), r));
        }
        return c.turn();
    }

    /** RFC 2645 4.1 replies to ATRN, in the owner's words. */
    static OdmrResult atrnRefused(String server, List<String> domains, Reply r) {
        String asked = String.join(", ", domains);
        String said = " (" + r.text() + ")";
        return switch (r.code()) {
            case 453 -> new OdmrResult(server, Outcome.NOTHING_WAITING, 0,
                    "your ISP holds no mail for " + asked + " (ODMR: 453 no mail)");
            case 450, 451 -> new OdmrResult(server, Outcome.REFUSED, 0,
                    "your ISP's ODMR server cannot deliver the mail for " + asked + " now; next call" + said);
            case 530 -> new OdmrResult(server, Outcome.REFUSED, 0,
                    "your ISP's ODMR server wants a login before ATRN; check odmr.auth-user" + said);
            case 500, 502 -> new OdmrResult(server, Outcome.REFUSED, 0,
                    "your ISP's server " + server + " does not offer ODMR (ATRN)" + said);
            default -> new OdmrResult(server, Outcome.REFUSED, 0,
                    "your ISP did not accept ATRN for " + asked + said);
        };
    }

    private static String lost(SmtpConnection c, IOException e, String server) {
        return IspConnectionLost.sentence(c, e, "your ISP's ODMR server " + server, "");
    }

    private static OdmrResult failed(String server, String why) {
        LOG.warn("ODMR: {}", why);
        return new OdmrResult(server, Outcome.FAILED, 0, why);
    }

    private static String why(Exception e) {
        return IspConnectionLost.why(e);
    }
}
