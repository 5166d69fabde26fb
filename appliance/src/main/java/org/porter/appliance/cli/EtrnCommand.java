package org.porter.appliance.cli;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.Mta;
import org.porter.mta.api.EtrnResult;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code porter etrn [DOMAIN]}: asks the ISP now. With the link up (LAN, or during a call) ETRN goes
 * out at once; with a dial-up link that is down, Porter calls the ISP first and prints the ISP's
 * answer as soon as the call has sent ETRN (the call goes on while the ISP delivers).
 */
@Command(name = "etrn", description = {"Ask the ISP with ETRN to deliver the mail it holds (etrn.domains, or DOMAIN).",
        "Needs 'porter serve' running. A dial-up link that is down is called first (up to 100 s for the ISP's answer)."})
public final class EtrnCommand extends AdminCommand {
    @Parameters(paramLabel = "DOMAIN", arity = "0..1", description = "office.example, @office.example or #queue")
    String domain;

    @Override
    protected int run(Mta mta, PrintWriter out) {
        CompletableFuture<EtrnResult> answer = DialCommand.dialer(this).etrn(Optional.ofNullable(domain).map(String::strip));
        if (!answer.isDone()) {
            out.println("the link was down: called the ISP ('porter dial status' shows the call)");
        }
        try {
            EtrnResult r = answer.get(100, TimeUnit.SECONDS);
            r.messages().forEach(out::println);
            return r.allAccepted() ? 0 : 1;
        } catch (TimeoutException e) {
            out.println("no answer to ETRN yet: the call is still being set up ('porter dial status' shows it)");
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InvalidRequestException("interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                    ? c.getCause() : e.getCause();
            if (cause instanceof InvalidRequestException ire) {
                throw ire;
            }
            throw new InvalidRequestException("the call failed: " + cause.getMessage());
        }
    }
}
