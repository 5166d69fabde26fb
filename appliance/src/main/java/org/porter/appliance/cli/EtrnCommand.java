package org.porter.appliance.cli;

import java.io.PrintWriter;
import java.util.Optional;

import org.porter.dialer.etrn.EtrnResult;
import org.porter.mta.api.Mta;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code porter etrn [DOMAIN]}: asks the ISP now (the link must be up: LAN, or during a call). */
@Command(name = "etrn", description = {"Ask the ISP with ETRN to deliver the mail it holds (etrn.domains, or DOMAIN).",
        "Needs 'porter serve' running and the link up (always, with link.type=lan)."})
public final class EtrnCommand extends AdminCommand {
    @Parameters(paramLabel = "DOMAIN", arity = "0..1", description = "office.example, @office.example or #queue")
    String domain;

    @Override
    protected int run(Mta mta, PrintWriter out) {
        EtrnResult r = DialCommand.dialer(this).etrn(Optional.ofNullable(domain).map(String::strip));
        r.messages().forEach(out::println);
        return r.allAccepted() ? 0 : 1;
    }
}
