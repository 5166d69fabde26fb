package org.porter.dialer.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.SettingDef;
import org.porter.mta.api.Values;

/**
 * The dialer's settings: keys (the contract for scripts), defaults, parsers. The service reads them
 * again at each session ({@link DialerConfig#read}), so a change applies from the next call.
 */
public final class DialerSettings {
    public static final String LINK_TYPE = "link.type";
    public static final String MODEM_DEVICE = "modem.device";
    public static final String MODEM_LOCK_DIR = "modem.lock-dir";
    public static final String MODEM_INIT = "modem.init";
    public static final String MODEM_NUMBER = "modem.number";
    public static final String MODEM_SPEED = "modem.speed";
    public static final String MODEM_DIAL = "modem.dial";
    public static final String MODEM_DIAL_TIMEOUT = "modem.dial-timeout";
    public static final String ISDN_MSN = "isdn.msn";
    public static final String ISDN_MODE = "isdn.mode";
    public static final String ISDN_CHANNELS = "isdn.channels";
    public static final String PPP_PPPD = "ppp.pppd";
    public static final String PPP_USER = "ppp.user";
    public static final String PPP_PASSWORD = "ppp.password";
    public static final String PPP_PEER = "ppp.peer";
    public static final String PPP_UP_TIMEOUT = "ppp.up-timeout";
    public static final String ETRN_SERVER = "etrn.server";
    public static final String ETRN_DOMAINS = "etrn.domains";
    public static final String ETRN_FORCE = "etrn.force";
    public static final String ETRN_FALLBACK = "etrn.fallback";
    public static final String ISP_RETRIEVAL = "isp.retrieval";
    public static final String ETRN_TLS = "etrn.tls";
    public static final String ETRN_AUTH_USER = "etrn.auth-user";
    public static final String ETRN_AUTH_PASSWORD = "etrn.auth-password";
    public static final String DIAL_SCHEDULE = "dial.schedule";
    public static final String DIAL_ON_DEMAND = "dial.on-demand";
    public static final String DIAL_ON_DEMAND_INTERVAL = "dial.on-demand-interval";
    public static final String DIAL_IDLE_SECONDS = "dial.idle-seconds";
    public static final String DIAL_MAX_SECONDS = "dial.max-seconds";
    public static final String DIAL_MAX_SECONDS_PER_DAY = "dial.max-seconds-per-day";
    public static final String DIAL_FLUSH_SECONDS = "dial.flush-seconds";
    public static final String FAX_DEVICE = "fax.device";
    public static final String FAX_STATION_ID = "fax.station-id";
    public static final String FAX_RECEIVE_TO = "fax.receive-to";
    public static final String FAX_ADMIN = "fax.admin";
    public static final String DIAL_RETRIES = "dial.retries";
    public static final String DIAL_RETRY_DELAY = "dial.retry-delay";

    public static final String DEFAULT_SCHEDULE = "mon-fri 08:00-18:00 every 15m; otherwise every 2h";

    private DialerSettings() {
    }

    private static final java.util.regex.Pattern ADDRESS = java.util.regex.Pattern.compile(
            "[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?");

    /**
     * {@code fax.receive-to}: {@code NUMBER=ADDRESS} pairs separated by ',', the number as the line's
     * number is written (only its digits count); to a map from digits to address, in order.
     */
    public static java.util.Map<String, String> faxReceiveTo(String v) {
        java.util.Map<String, String> map = new java.util.LinkedHashMap<>();
        for (String pair : Values.list(v, ",")) {
            int eq = pair.indexOf('=');
            String number = eq < 0 ? "" : pair.substring(0, eq).replaceAll("[\\s\\-()./+]", "");
            String address = eq < 0 ? "" : pair.substring(eq + 1).strip();
            if (!number.matches("[0-9]{3,20}") || !ADDRESS.matcher(address).matches()) {
                throw new InvalidRequestException("'" + pair + "' is not NUMBER=ADDRESS (e.g. 0301234567=alice@office.example)");
            }
            if (map.put(number, address) != null) {
                throw new InvalidRequestException("the number " + number + " is given twice in " + FAX_RECEIVE_TO);
            }
        }
        return map;
    }

    static String faxAdmin(String v) {
        String a = v.strip();
        if (!a.isEmpty() && !ADDRESS.matcher(a).matches()) {
            throw new InvalidRequestException("'" + v + "' is not a mail address (e.g. office@office.example)");
        }
        return a;
    }

    /** etrn, atrn, pop3 or some of them, in the owner's order, each once. */
    static String retrieval(String v) {
        List<String> words = new java.util.ArrayList<>();
        for (String w : Values.list(v, ",")) {
            String m = Values.oneOf("etrn", "atrn", "pop3").apply(w);
            if (words.contains(m)) {
                throw new org.porter.mta.api.InvalidRequestException("names " + m + " twice: " + v);
            }
            words.add(m);
        }
        if (words.isEmpty()) {
            throw new org.porter.mta.api.InvalidRequestException("give etrn, atrn, pop3 or some of them in order"
                    + " (etrn,pop3), not nothing");
        }
        return String.join(",", words);
    }

    public static List<SettingDef> definitions() {
        List<SettingDef> d = new ArrayList<>();
        d.add(SettingDef.of(LINK_TYPE, "lan", "How Porter reaches the ISP: lan (a router, always up), modem (analog + pppd), isdn",
                Values.oneOf("lan", "modem", "isdn")).withExamples("lan", "modem", "isdn"));
        d.add(SettingDef.of(MODEM_DEVICE, "/dev/ttyS0", "Serial device of the modem or ISDN terminal adapter",
                Values::nonEmpty).withExamples("/dev/ttyS1", "/dev/ttyUSB0"));
        d.add(SettingDef.of(MODEM_LOCK_DIR, "/var/lock", "Folder of the UUCP lock files (LCK..ttyS1) through which the"
                + " dialer, pppd, efax and other serial programs take turns on a modem", v -> {
                    if (!v.startsWith("/") || v.contains("\n")) {
                        throw new org.porter.mta.api.InvalidRequestException(
                                "modem.lock-dir is a folder's full path (starting with /): " + v);
                    }
                    return v;
                }).withExamples("/var/lock", "/var/spool/uucp"));
        d.add(SettingDef.of(FAX_DEVICE, "", "Serial device of a fax modem (Class 1, 2 or 2.0) for the fax gateway:"
                + " mail to NUMBER@fax.OFFICE-DOMAIN is sent as a fax with efax, and faxes coming in are mailed (fax.receive-to);"
                + " empty: no fax gateway (applies at restart)",
                Values::text).withExamples("/dev/ttyS1", "/dev/ttyUSB1"));
        d.add(SettingDef.of(FAX_STATION_ID, "", "The number a fax machine receiving our faxes shows (digits, '+' and"
                + " spaces, at most 20)", v -> {
                    if (!v.matches("[0-9+ ]{0,20}")) {
                        throw new org.porter.mta.api.InvalidRequestException(
                                "a fax station id is digits, '+' and spaces, at most 20: " + v);
                    }
                    return v;
                }).withExamples("+49 30 1234567"));
        d.add(SettingDef.of(FAX_RECEIVE_TO, "", "Who gets the faxes that come in: NUMBER=ADDRESS pairs separated by ','"
                + " (NUMBER is our fax line's number, as in fax.station-id); a received fax is mailed to its address as"
                + " a PDF. A number not listed: the fax admin", v -> {
                    faxReceiveTo(v);
                    return v.strip();
                }).withExamples("030 1234567=alice@office.example"));
        d.add(SettingDef.of(FAX_ADMIN, "", "Mail address of the fax admin: gets the received faxes nobody else is set"
                + " to get, and is told when a received fax cannot be made into a PDF (its pages are then kept on the"
                + " server); empty: nobody", DialerSettings::faxAdmin).withExamples("office@office.example"));
        d.add(SettingDef.of(MODEM_INIT, "ATZ", "Modem init commands, separated by ';' (each must answer OK)",
                Values::text).withExamples("ATZ;ATE0;ATX3", "AT&F"));
        d.add(SettingDef.of(MODEM_NUMBER, "", "The ISP's phone number (digits, ',' pauses, 'W' wait for dial tone)",
                DialerSettings::phoneNumber).withExamples("0W0191011", "+493012345678"));
        d.add(SettingDef.of(MODEM_SPEED, "115200", "Serial speed between Porter and the modem (bit/s)",
                Values.integer(300, 4_000_000)).withExamples("57600", "230400"));
        d.add(SettingDef.of(MODEM_DIAL, "tone", "Dialling: tone (ATDT) or pulse (ATDP); analog modems only",
                Values.oneOf("tone", "pulse")).withExamples("tone", "pulse"));
        d.add(SettingDef.of(MODEM_DIAL_TIMEOUT, "90s", "How long to wait for the modem's answer to the dial command",
                Values.duration(Duration.ofSeconds(1), Duration.ofHours(1))).withExamples("60s", "2m"));
        d.add(SettingDef.of(ISDN_MSN, "", "ISDN: our MSN (the number the terminal adapter dials from, AT&E<msn>)",
                DialerSettings::phoneNumber).withExamples("1234567"));
        d.add(SettingDef.of(ISDN_MODE, "ta", "ISDN: ta (terminal adapter on modem.device) or capi (pppd's capiplugin)",
                Values.oneOf("ta", "capi")).withExamples("ta", "capi"));
        d.add(SettingDef.of(ISDN_CHANNELS, "1", "ISDN with CAPI: B channels to use (2 = channel bundling, multilink PPP)",
                Values.integer(1, 2)).withExamples("1", "2"));
        d.add(SettingDef.of(PPP_PPPD, "/usr/sbin/pppd", "Path of pppd", Values::nonEmpty).withExamples("/usr/local/sbin/pppd"));
        d.add(SettingDef.of(PPP_USER, "", "PPP login name at the ISP", Values::text).withExamples("office@isp.example"));
        d.add(new SettingDef(PPP_PASSWORD, "", "PPP password at the ISP (written only to a 0600 options file, never on a command line)",
                Values::text, true).withExamples("s3cret-Pa55"));
        d.add(SettingDef.of(PPP_PEER, "", "pppd peers file (/etc/ppp/peers/NAME) with the privileged options (noauth, nolock;"
                + " the CAPI plugin) for a Porter not running as root, as in the appliance image; empty = all in Porter's own options file",
                DialerSettings::peerName).withExamples("porter", "isp-capi"));
        d.add(SettingDef.of(PPP_UP_TIMEOUT, "60s", "How long pppd may take to bring the link up after CONNECT",
                Values.duration(Duration.ofSeconds(1), Duration.ofHours(1))).withExamples("30s", "2m"));
        d.add(SettingDef.of(ETRN_SERVER, "", "The ISP's SMTP server that holds our mail, as host:port (port 25 when left"
                + " out; empty = no ETRN)", Values.hostPort(25))
                .withExamples("mail.isp.example:25", "[192.0.2.25]:2525", "[2001:db8::25]:25"));
        d.add(SettingDef.of(ETRN_DOMAINS, "", "Domains to ask for with ETRN, comma-separated; @domain and #queue forms as the ISP wants",
                DialerSettings::domains).withExamples("office.example", "office.example,@branch.example,#office"));
        d.add(SettingDef.of(ETRN_FORCE, "true", "Send ETRN even when the ISP's EHLO does not advertise it",
                Values::bool).withExamples("true", "false"));
        d.add(SettingDef.of(ETRN_FALLBACK, "none", "When the ISP accepts no ETRN: none (hang up once outbound mail is sent)"
                + " or lan (stay connected like a LAN gateway until dial.max-seconds, so the ISP can deliver on its own)",
                Values.oneOf("none", "lan")).withExamples("none", "lan"));
        d.add(SettingDef.of(ISP_RETRIEVAL, "etrn,pop3", "How a call gets the office's mail from the ISP, in order: etrn"
                + " (ask the ISP to send it, etrn.server), atrn (ODMR: the ISP sends it over Porter's own connection,"
                + " odmr.server) and pop3 (collect it from the ISP mailboxes of 'porter fetch'); the next one is tried"
                + " when the one before is refused or not set up", DialerSettings::retrieval)
                .withExamples("etrn,pop3", "pop3", "etrn", "pop3,etrn", "atrn,etrn,pop3", "atrn"));
        d.add(SettingDef.of(ETRN_TLS, "opportunistic", "STARTTLS to the ETRN server: none, opportunistic (when offered)"
                + " or required (as delivery.tls)", Values.oneOf("none", "opportunistic", "required"))
                .withExamples("none", "opportunistic", "required"));
        d.add(SettingDef.of(ETRN_AUTH_USER, "", "Login for AUTH at the ETRN server (some ISPs honour ETRN only after it;"
                + " sent only over TLS); empty = no AUTH", Values::text).withExamples("office@isp.example"));
        d.add(new SettingDef(ETRN_AUTH_PASSWORD, "", "Password for etrn.auth-user (write-only)", Values::text, true)
                .withExamples("s3cret-Pa55"));
        d.add(SettingDef.of(DIAL_SCHEDULE, DEFAULT_SCHEDULE,
                "When to call: 'DAYS HH:MM-HH:MM every N[m|h]; ...; otherwise every N[m|h]|off', or off",
                v -> DialSchedule.parse(v).toString())
                .withExamples("off", "mon-sat 07:00-19:00 every 30m; otherwise off", "otherwise every 1h"));
        d.add(SettingDef.of(DIAL_ON_DEMAND, "true", "Also call when outbound mail is queued (at most every dial.on-demand-interval)",
                Values::bool).withExamples("true", "false"));
        d.add(SettingDef.of(DIAL_ON_DEMAND_INTERVAL, "5m", "Least time between two on-demand calls",
                Values.duration(Duration.ZERO, Duration.ofDays(1))).withExamples("0s", "15m", "1h"));
        d.add(SettingDef.of(DIAL_IDLE_SECONDS, "60", "Hang up after the ISP's inbound SMTP has been idle this many seconds",
                Values.integer(1, 86_400)).withExamples("30", "120"));
        d.add(SettingDef.of(DIAL_MAX_SECONDS, "900", "Longest connection of one call, in seconds",
                Values.integer(10, 86_400)).withExamples("600", "3600"));
        d.add(SettingDef.of(DIAL_MAX_SECONDS_PER_DAY, "7200", "Connected seconds per day (local time) after which no call is made (0 = no limit)",
                Values.integer(0, 86_400)).withExamples("0", "3600"));
        d.add(SettingDef.of(DIAL_FLUSH_SECONDS, "300", "Longest wait for the outbound queue to be delivered in one call, in seconds",
                Values.integer(1, 86_400)).withExamples("120", "600"));
        d.add(SettingDef.of(DIAL_RETRIES, "3", "Redials after BUSY or NO ANSWER in one call", Values.integer(0, 20))
                .withExamples("0", "5"));
        d.add(SettingDef.of(DIAL_RETRY_DELAY, "30s", "Wait before the first redial; doubled at each further one",
                Values.duration(Duration.ZERO, Duration.ofDays(1))).withExamples("0s", "2m", "1d"));
        return List.copyOf(d);
    }

    private static String phoneNumber(String v) {
        String n = v.strip().replace(" ", "").replace("-", "");
        if (!n.matches("[0-9*#,WwPpTt+]*")) {
            throw new InvalidRequestException("not a phone number (digits, *, #, ',' and W only): " + v);
        }
        return n.toUpperCase(Locale.ROOT);
    }

    private static String peerName(String v) {
        String n = v.strip();
        if (!n.matches("[A-Za-z0-9_][A-Za-z0-9_.-]*") && !n.isEmpty() || n.contains("..")) {
            throw new InvalidRequestException("not a peers file name (a name in /etc/ppp/peers, no '/'): " + v);
        }
        return n;
    }

    private static String domains(String v) {
        List<String> out = new ArrayList<>();
        for (String part : v.split(",")) {
            String d = part.strip().toLowerCase(Locale.ROOT);
            if (d.isEmpty()) {
                continue;
            }
            if (!d.matches("[@#]?[a-z0-9]([a-z0-9\\-.]*[a-z0-9])?")) {
                throw new InvalidRequestException("not a domain (office.example, @office.example or #queue): " + part.strip());
            }
            out.add(d);
        }
        return String.join(",", out);
    }
}
