package org.porter.appliance.cli;

import java.io.PrintWriter;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.porter.dialer.DialerService;
import org.porter.mta.api.CallLog;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.Mta;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code porter dial [--now]}, {@code porter dial status}, {@code porter dial log}: the dialer of the
 * running server. Calling needs {@code porter serve}; the log is read from the database either way.
 */
@Command(name = "dial", description = {"Call the ISP now, or show the dialer's state and call log.",
        "'porter dial' starts a call and returns; 'porter dial --now' waits for it to end (up to 100 s) and prints its steps,",
        "joining the call in progress when there is one (e.g. the schedule's)."},
        subcommands = {DialCommand.Status.class, DialCommand.Log.class})
public final class DialCommand extends AdminCommand {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    @Option(names = "--now", description = "Wait for the call to end and print what happened.")
    boolean now;

    @Override
    protected int run(Mta mta, PrintWriter out) {
        DialerService dialer = dialer(this);
        if (!now) {
            dialer.dialNow();
            out.println("call started; 'porter dial status' shows its progress");
            return 0;
        }
        DialerService.Dialing dialing = dialer.dialOrJoin();
        CompletableFuture<CallLog.Call> call = dialing.done();
        if (dialing.joined()) {
            out.println("a call was already in progress: joined it, following it to its end");
        }
        try {
            CallLog.Call c = call.get(100, TimeUnit.SECONDS);
            dialer.status().steps().forEach(out::println);
            out.println(line(c));
            return "ok".equals(c.outcome()) ? 0 : 1;
        } catch (TimeoutException e) {
            out.println("the call is still going on; 'porter dial status' shows its progress");
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InvalidRequestException("interrupted");
        } catch (ExecutionException e) {
            throw new InvalidRequestException("the call failed: " + e.getCause().getMessage());
        }
    }

    static DialerService dialer(AdminCommand command) {
        if (!command.context().remote()) {
            throw new InvalidRequestException("calling the ISP needs 'porter serve' running on " + command.dataDir()
                    + " (the dialer is part of the server)");
        }
        return command.context().dialer().orElseThrow(
                () -> new InvalidRequestException("the dialer is not running in this server"));
    }

    static String line(CallLog.Call c) {
        String bytes = c.bytesIn() < 0 ? "bytes unknown" : c.bytesIn() + " bytes in, " + c.bytesOut() + " out (" + c.bytesSource() + ")";
        return TIME.format(c.start()) + "  " + c.link() + "  " + c.outcome() + "  " + c.connectedSeconds() + " s  "
                + c.messagesOut() + " msg out, " + c.messagesIn() + " in  " + bytes + "  " + c.detail();
    }

    @Command(name = "status", description = "The link's state, the call in progress, the last call, the next scheduled one.")
    static final class Status extends AdminCommand {
        @Override
        protected int run(Mta mta, PrintWriter out) {
            if (!context().remote()) {
                out.println("dialer: not running (start 'porter serve')");
                mta.callLog().recent(1).forEach(c -> out.println("last call: " + line(c)));
                return 0;
            }
            DialerService.Status s = dialer(this).status();
            out.println("link: " + s.linkType() + ", " + s.linkState().name().toLowerCase(java.util.Locale.ROOT));
            out.println("call in progress: " + (s.inCall() ? "yes" : "no"));
            if (s.inCall()) {
                s.steps().forEach(l -> out.println("  " + l));
            }
            s.lastCall().ifPresent(c -> out.println("last call: " + line(c)));
            if (!s.problem().isEmpty()) {
                out.println("problem: " + s.problem());
            }
            out.println("connected today: " + s.connectedToday() + " s");
            out.println("next scheduled call: " + s.nextScheduled().map(TIME::format).orElse("none"));
            return 0;
        }
    }

    @Command(name = "log", description = "The call log, newest first.")
    static final class Log extends AdminCommand {
        @Option(names = {"-n", "--count"}, defaultValue = "20", description = "How many calls. Default: ${DEFAULT-VALUE}")
        int count;

        @Override
        protected int run(Mta mta, PrintWriter out) {
            List<CallLog.Call> calls = mta.callLog().recent(count);
            if (calls.isEmpty()) {
                out.println("no calls yet");
            }
            calls.forEach(c -> out.println(line(c)));
            return 0;
        }
    }

}
