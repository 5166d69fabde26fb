package org.porter.appliance.cli;

import java.io.PrintWriter;
import java.time.Duration;

import org.porter.mta.api.Mta;
import org.porter.mta.api.Odmr;
import org.porter.mta.api.OdmrResult;

import picocli.CommandLine.Command;

/**
 * {@code porter odmr now}: one ODMR conversation (RFC 2645) with the {@code odmr.*} settings, over the
 * link as it is now (LAN, or during a call). Dial-up calls use ODMR themselves when {@code isp.retrieval}
 * names atrn.
 */
@Command(name = "odmr", description = {"Receive the mail the ISP holds for the office by ODMR (RFC 2645, ATRN):",
        "the ISP delivers it over Porter's own connection (for offices the ISP cannot connect to)."},
        subcommands = {OdmrCommand.Now.class})
public final class OdmrCommand {
    /** The longest the ISP may take delivering after the turn: dial.max-seconds' default. */
    static final Duration LIMIT = Duration.ofMinutes(15);

    @Command(name = "now", description = {"Ask the ISP's ODMR server (odmr.server) now and say what came in.",
            "Uses the link as it is: with a dial-up link, 'porter dial now' with isp.retrieval naming atrn instead."})
    static final class Now extends AdminCommand {
        @Override
        protected int run(Mta mta, PrintWriter out) {
            Odmr odmr = mta.odmr();
            if (!odmr.configured()) {
                out.println("no ODMR server to ask: set odmr.server (and odmr.auth-user, odmr.auth-password)");
                return 1;
            }
            OdmrResult r = odmr.run(LIMIT);
            out.println(r.message());
            return r.done() ? 0 : 1;
        }
    }
}
