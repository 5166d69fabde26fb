package org.porter.dialer.etrn;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ETRN client (RFC 1985): connects to the ISP's SMTP server, EHLO (HELO if EHLO is refused),
 * checks for the ETRN keyword, sends one {@code ETRN <argument>} per configured domain (the argument
 * as configured: {@code office.example}, {@code @office.example} for subdomains too, {@code #queue}),
 * QUIT. The ISP delivers over new connections to our SMTP server, not over this one.
 *
 * <p>Never throws for the ISP's doing: every refusal or failure becomes an outcome with a sentence
 * for the owner. Every command and reply is logged.
 */
public final class EtrnClient {
    private static final Logger LOG = LoggerFactory.getLogger(EtrnClient.class);
    public static final int DEFAULT_PORT = 25;

    private final String helo;
    private final Duration timeout;

    /**
     * @param helo    the name we give in EHLO (Porter's hostname)
     * @param timeout for connecting and for each reply (RFC 5321 §4.5.3.2 suggests minutes; the
     *                ISP answers ETRN at once, so a minute is plenty)
     */
    public EtrnClient(String helo, Duration timeout) {
        this.helo = helo;
        this.timeout = timeout;
    }

    /**
     * @param server host or host:port ([v6]:port)
     * @param force  send ETRN even when EHLO does not advertise it (some servers accept it anyway)
     */
    public EtrnResult run(String server, List<String> arguments, boolean force) {
        if (server.isBlank()) {
            return new EtrnResult(server, false, List.of(), "no ISP server for ETRN: set etrn.server");
        }
        if (arguments.isEmpty()) {
            return new EtrnResult(server, false, List.of(), "no domain to ask for: set etrn.domains");
        }
        InetSocketAddress address = address(server);
        try (Socket s = new Socket()) {
            s.connect(address, (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            Reply greeting = read(in);
            if (greeting.code() != 220) {
                return new EtrnResult(server, false, List.of(), "your ISP's server " + server
                        + " did not greet us: " + greeting.text());
            }
            Reply ehlo = send(out, in, "EHLO " + helo);
            boolean advertised = false;
            if (ehlo.code() == 250) {
                advertised = ehlo.lines().stream().skip(1)
                        .anyMatch(l -> l.toUpperCase(Locale.ROOT).matches("ETRN\\b.*"));
            } else {
                Reply h = send(out, in, "HELO " + helo);
                if (h.code() != 250) {
                    return new EtrnResult(server, false, List.of(), "your ISP's server refused our greeting: " + h.text());
                }
            }
            if (!advertised) {
                LOG.warn("ETRN: {} does not advertise ETRN{}", server, force ? "; trying anyway (etrn.force)" : "");
                if (!force) {
                    send(out, in, "QUIT");
                    return new EtrnResult(server, false, List.of(), "your ISP's server " + server
                            + " does not offer ETRN (not in its EHLO reply); set etrn.force=true to try anyway");
                }
            }
            List<EtrnOutcome> outcomes = new ArrayList<>();
            for (String argument : arguments) {
                Reply r = send(out, in, argument.isEmpty() ? "ETRN" : "ETRN " + argument);
                EtrnOutcome o = EtrnOutcome.of(argument, r.code(), r.text());
                (o.accepted() ? LOG.atInfo() : LOG.atWarn()).log("ETRN {}: {}", argument, o.message());
                outcomes.add(o);
            }
            try {
                send(out, in, "QUIT");
            } catch (IOException e) {
                LOG.debug("ETRN: QUIT: {}", e.getMessage());
            }
            return new EtrnResult(server, advertised, outcomes, "");
        } catch (SocketTimeoutException e) {
            return new EtrnResult(server, false, List.of(), "your ISP's server " + server + " did not answer in time");
        } catch (IOException e) {
            return new EtrnResult(server, false, List.of(), "cannot reach your ISP's server " + server + " for ETRN: "
                    + e.getMessage());
        }
    }

    static InetSocketAddress address(String server) {
        String host = server;
        int port = DEFAULT_PORT;
        int colon = server.lastIndexOf(':');
        if (colon > 0 && server.indexOf(']') < colon && (server.startsWith("[") || server.indexOf(':') == colon)) {
            host = server.substring(0, colon);
            port = Integer.parseInt(server.substring(colon + 1));
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new InetSocketAddress(host, port);
    }

    /** A reply: its code and lines (without the code and separator), joined for messages. */
    record Reply(int code, List<String> lines) {
        String text() {
            return code + " " + String.join(" / ", lines);
        }
    }

    private static Reply send(OutputStream out, BufferedReader in, String command) throws IOException {
        LOG.info("ETRN client > {}", command);
        out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return read(in);
    }

    private static Reply read(BufferedReader in) throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String l = in.readLine();
            if (l == null) {
                throw new IOException("the server closed the connection");
            }
            LOG.info("ETRN client < {}", l);
            if (l.length() < 3 || !l.substring(0, 3).chars().allMatch(Character::isDigit)) {
                throw new IOException("not an SMTP reply: " + l);
            }
            lines.add(l.length() > 4 ? l.substring(4) : "");
            if (l.length() == 3 || l.charAt(3) == ' ') {
                return new Reply(Integer.parseInt(l.substring(0, 3)), lines);
            }
        }
    }
}
