package org.porter.mta.smtp.client;

import java.io.IOException;

import javax.net.ssl.SSLContext;

import org.porter.mta.api.EtrnRequest.Tls;
import org.slf4j.Logger;

/**
 * The opening both conversations with the ISP's server share (ETRN, ODMR's ATRN): greeting (220),
 * EHLO (HELO after a refused EHLO where the service allows it, only before TLS), STARTTLS per the
 * policy and EHLO again, AUTH PLAIN/LOGIN when a user is given (only over TLS: the password never
 * goes out in clear). Every command (credentials hidden) and reply is logged under the service's
 * name. What ends the conversation early is a {@link Stop} carrying the owner's sentence, named
 * after the service and its settings; a failed TLS handshake is {@link HandshakeFailed}, on which
 * opportunistic TLS tries once more in clear.
 */
final class IspOpening {
    /**
     * How the owner's sentences and the log name one service.
     *
     * @param name          "ETRN", "ODMR": the log's and the login's name
     * @param serverNoun    "your ISP's server", "your ISP's ODMR server"
     * @param settings      the settings' prefix, "etrn", "odmr"
     * @param heloAllowed   HELO is tried when EHLO is refused (ETRN; ODMR needs EHLO)
     * @param loginOptional the service works without a login (ETRN), so a missing AUTH says the
     *                      user setting is why it is needed
     */
    record Service(String name, String serverNoun, String settings, boolean heloAllowed, boolean loginOptional) {
    }

    /** The conversation ended early: the message is for the owner; {@code refused} when the login was refused. */
    static final class Stop extends Exception {
        final boolean refused;

        Stop(String why) {
            this(why, false);
        }

        Stop(String why, boolean refused) {
            super(why, null, false, false);
            this.refused = refused;
        }
    }

    /** The TLS handshake failed: opportunistic TLS tries again in clear. */
    static final class HandshakeFailed extends Exception {
        HandshakeFailed(String message) {
            super(message, null, false, false);
        }
    }

    private final Service service;
    private final String helo;
    private final ClientTimeouts timeouts;
    private final SSLContext tls;
    private final Logger log;

    IspOpening(Service service, String helo, ClientTimeouts timeouts, SSLContext tls, Logger log) {
        this.service = service;
        this.helo = helo;
        this.timeouts = timeouts;
        this.tls = tls;
        this.log = log;
    }

    /**
     * From the greeting to the login; returns the server's capabilities as they stand then.
     *
     * @param tryTls false: no STARTTLS whatever the policy (the second try after a failed handshake)
     * @param user   empty: no AUTH
     */
    Capabilities open(SmtpConnection c, String server, Tls policy, boolean tryTls, String user, String password)
            throws IOException, Stop, HandshakeFailed {
        Reply greeting = logged(c.read(timeouts.greeting()));
        if (greeting.code() != 220) {
            throw new Stop(service.serverNoun() + " " + server + " did not greet us: " + greeting.text());
        }
        Capabilities caps = hello(c, service.heloAllowed());
        if (tryTls) {
            caps = startTls(c, server, policy, caps);
        }
        if (!user.isEmpty()) {
            login(c, server, policy, caps, user, password);
        }
        return caps;
    }

    Reply command(SmtpConnection c, String line) throws IOException {
        log.info("{} client > {}", service.name(), line);
        return logged(c.command(line, timeouts.ehlo()));
    }

    /** QUIT, best effort: the conversation is over either way. */
    void quit(SmtpConnection c) {
        try {
            command(c, "QUIT");
        } catch (IOException | RuntimeException e) {
            log.debug("{}: QUIT: {}", service.name(), e.toString());
        }
    }

    private Reply logged(Reply r) {
        log.info("{} client < {}", service.name(), r);
        return r;
    }

    private Capabilities hello(SmtpConnection c, boolean heloAllowed) throws IOException, Stop {
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
        throw new Stop(service.serverNoun() + " refused our greeting: " + r.text());
    }

    /** STARTTLS as {@code delivery.tls} does it; the capabilities after it (or before, in clear). */
    private Capabilities startTls(SmtpConnection c, String server, Tls policy, Capabilities caps)
            throws IOException, Stop, HandshakeFailed {
        boolean required = policy == Tls.REQUIRED;
        String tlsSetting = service.settings() + ".tls";
        if (!caps.has("STARTTLS")) {
            if (required) {
                throw new Stop(service.serverNoun() + " " + server + " does not offer STARTTLS, and " + tlsSetting
                        + " is required");
            }
            return caps;
        }
        Reply r = command(c, "STARTTLS");
        if (r.code() != 220) {
            if (required || r.code() == 421) {
                throw new Stop(service.serverNoun() + " " + server + " refused STARTTLS: " + r.text()
                        + (required ? " (" + tlsSetting + " is required)" : ""));
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
            throw new HandshakeFailed("TLS handshake with " + service.serverNoun() + " " + server + " failed: "
                    + IspConnectionLost.why(e));
        }
        log.info("{} client: TLS {}", service.name(), c.tlsDescription());
        return hello(c, false);
    }

    private void login(SmtpConnection c, String server, Tls policy, Capabilities caps, String user, String password)
            throws IOException, Stop {
        String s = service.settings();
        if (!c.tls()) {
            throw new Stop("Porter sends the " + service.name() + " login (" + s + ".auth-user) only over TLS, and the"
                    + " session with your ISP's server " + server + " is not encrypted" + (policy == Tls.NONE
                            ? " (" + s + ".tls is none)" : " (it did not offer STARTTLS)"));
        }
        Reply r = ClientAuth.login(c, caps, user, password, timeouts.ehlo());
        if (r == null) {
            throw new Stop(service.serverNoun() + " " + server + (caps.has("AUTH")
                    ? " offers no login method Porter supports (PLAIN, LOGIN)" : " does not offer AUTH")
                    + (service.loginOptional() ? ", but " + s + ".auth-user is set" : ""));
        }
        logged(r);
        if (r.code() != 235) {
            throw new Stop(service.serverNoun() + " " + server + " refused the " + service.name() + " login ("
                    + s + ".auth-user, " + s + ".auth-password): " + r.text(), true);
        }
    }
}
