package org.porter.mta.config;

import static org.porter.mta.api.MtaSettingKeys.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

import org.porter.mta.api.EtrnRequest;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.SettingDef;
import org.porter.mta.api.Settings;
import org.porter.mta.api.Values;
import org.porter.mta.message.Addresses;
import org.porter.mta.smtp.client.OdmrClient;

/** The ODMR client's settings (RFC 2645, {@code odmr.*}); keys are the contract for scripts. */
public final class OdmrSettings {
    /** The ODMR port (RFC 2645 4). */
    public static final int DEFAULT_PORT = 366;

    private OdmrSettings() {
    }

    public static List<SettingDef> definitions() {
        return List.of(
                SettingDef.of(ODMR_SERVER, "", "The ISP's ODMR server (RFC 2645 on-demand mail relay) as host:port (port 366"
                        + " when left out; empty = no ODMR); used when isp.retrieval names atrn", Values.hostPort(DEFAULT_PORT))
                        .withExamples("odmr.isp.example:366", "[192.0.2.25]:366", "[2001:db8::25]:366"),
                SettingDef.of(ODMR_TLS, "opportunistic", "STARTTLS to the ODMR server: none, opportunistic (when offered)"
                        + " or required (as etrn.tls); the login is sent only over TLS",
                        Values.oneOf("none", "opportunistic", "required")).withExamples("none", "opportunistic", "required"),
                SettingDef.of(ODMR_AUTH_USER, "", "Login at the ODMR server (RFC 2645 requires one before ATRN; sent only"
                        + " over TLS)", Values::text).withExamples("office@isp.example"),
                new SettingDef(ODMR_AUTH_PASSWORD, "", "Password for odmr.auth-user (write-only)", Values::text, true)
                        .withExamples("s3cret-Pa55"),
                SettingDef.of(ODMR_DOMAINS, "", "Domains to ask for with ATRN, comma-separated; empty = the local domains",
                        OdmrSettings::domains).withExamples("office.example", "office.example,branch.example"));
    }

    /**
     * The request the settings make now.
     *
     * @param localDomains the office's domains, for an empty {@code odmr.domains}
     */
    public static OdmrClient.Request request(Settings s, Supplier<List<String>> localDomains) {
        List<String> domains = Values.list(s.get(ODMR_DOMAINS), ",");
        if (domains.isEmpty()) {
            domains = localDomains.get();
        }
        return new OdmrClient.Request(s.get(ODMR_SERVER), domains, EtrnRequest.Tls.of(s.get(ODMR_TLS)),
                s.get(ODMR_AUTH_USER), s.get(ODMR_AUTH_PASSWORD));
    }

    /** Plain domain names (ATRN takes no @ or # forms), lower case, each once. */
    static String domains(String v) {
        List<String> out = new ArrayList<>();
        for (String part : v.split(",")) {
            String d = part.strip().toLowerCase(Locale.ROOT);
            if (d.isEmpty() || out.contains(d)) {
                continue;
            }
            if (!Addresses.isDomain(d)) {
                throw new InvalidRequestException("not a domain name: " + Addresses.printable(part.strip()));
            }
            out.add(d);
        }
        return String.join(",", out);
    }
}
