package org.porter.dialer.config;

import static org.porter.dialer.config.DialerSettings.*;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.porter.mta.api.Settings;
import org.porter.mta.api.Values;
import org.porter.mta.api.EtrnRequest;

/**
 * The dialer's settings as one typed value, read once per session (so a change applies from the next
 * call). {@link #read} never fails on a stored value: the store validated it when it was set.
 */
public record DialerConfig(String linkType, Path device, List<String> init, String number, int speed, boolean pulse,
        Duration dialTimeout, String msn, String isdnMode, int isdnChannels, Path pppd, String pppUser,
        String pppPassword, String pppPeer, Duration pppUpTimeout, String etrnServer, List<String> etrnDomains, boolean etrnForce,
        String etrnFallback, String etrnTls, String etrnUser, String etrnPassword,
        DialSchedule schedule, boolean onDemand, Duration onDemandInterval, Duration idle, Duration maxConnect,
        Duration maxPerDay, Duration flushWait, int retries, Duration retryDelay, Path lockDir) {

    public static DialerConfig read(Settings s) {
        return new DialerConfig(s.get(LINK_TYPE), Path.of(s.get(MODEM_DEVICE)), Values.list(s.get(MODEM_INIT), ";"),
                s.get(MODEM_NUMBER), Integer.parseInt(s.get(MODEM_SPEED)), "pulse".equals(s.get(MODEM_DIAL)),
                Values.parseDuration(s.get(MODEM_DIAL_TIMEOUT)), s.get(ISDN_MSN), s.get(ISDN_MODE),
                Integer.parseInt(s.get(ISDN_CHANNELS)), Path.of(s.get(PPP_PPPD)), s.get(PPP_USER), s.get(PPP_PASSWORD), s.get(PPP_PEER),
                Values.parseDuration(s.get(PPP_UP_TIMEOUT)), s.get(ETRN_SERVER), Values.list(s.get(ETRN_DOMAINS), ","),
                Boolean.parseBoolean(s.get(ETRN_FORCE)), s.get(ETRN_FALLBACK), s.get(ETRN_TLS), s.get(ETRN_AUTH_USER),
                s.get(ETRN_AUTH_PASSWORD), DialSchedule.parse(s.get(DIAL_SCHEDULE)),
                Boolean.parseBoolean(s.get(DIAL_ON_DEMAND)), Values.parseDuration(s.get(DIAL_ON_DEMAND_INTERVAL)),
                seconds(s.get(DIAL_IDLE_SECONDS)), seconds(s.get(DIAL_MAX_SECONDS)),
                seconds(s.get(DIAL_MAX_SECONDS_PER_DAY)), seconds(s.get(DIAL_FLUSH_SECONDS)),
                Integer.parseInt(s.get(DIAL_RETRIES)), Values.parseDuration(s.get(DIAL_RETRY_DELAY)),
                Path.of(s.get(MODEM_LOCK_DIR)));
    }

    /** The same settings with other ETRN arguments ({@code porter etrn DOMAIN} while the link is down). */
    public DialerConfig withEtrnDomains(List<String> domains) {
        return new DialerConfig(linkType, device, init, number, speed, pulse, dialTimeout, msn, isdnMode, isdnChannels,
                pppd, pppUser, pppPassword, pppPeer, pppUpTimeout, etrnServer, List.copyOf(domains), etrnForce, etrnFallback,
                etrnTls, etrnUser, etrnPassword, schedule, onDemand, onDemandInterval, idle, maxConnect, maxPerDay, flushWait,
                retries, retryDelay, lockDir);
    }

    /** What the ETRN client is asked: etrn.server, etrn.domains, etrn.force, etrn.tls, etrn.auth-*. */
    public EtrnRequest etrnRequest() {
        return new EtrnRequest(etrnServer, etrnDomains, etrnForce, EtrnRequest.Tls.of(etrnTls), etrnUser, etrnPassword);
    }

    private static Duration seconds(String v) {
        return Duration.ofSeconds(Long.parseLong(v));
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "DialerConfig[link " + linkType + ", device " + device + ", number " + number + ", etrn " + etrnServer
                + " " + etrnDomains + " tls " + etrnTls + "]";
    }
}
