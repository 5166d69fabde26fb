package org.porter.dialer.link;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.porter.dialer.modem.ModemDialect;
import org.porter.dialer.modem.ModemLock;

/**
 * ISDN: either a terminal adapter on a serial port (its AT dialect: {@code AT&E<msn>}, {@code ATD},
 * {@code CONNECT 64000}, then pppd as on a modem), or a CAPI card dialled by pppd's capiplugin
 * (number, MSN, HDLC, sync PPP; 2 channels = multilink bundle).
 */
public final class IsdnLink extends PppLink {

    private IsdnLink(Dial dial, PppOptions options, Duration upTimeout, Path runDir) {
        super("isdn", dial, options, upTimeout, runDir);
    }

    public static IsdnLink terminalAdapter(LineOpener opener, List<String> init, String msn, String number,
            Duration dialTimeout, Duration guardTime, ModemLock lock, PppOptions options, Duration upTimeout, Path runDir) {
        return new IsdnLink(new Dial(opener, new ModemDialect.IsdnTa(msn), init, number, dialTimeout, guardTime, lock),
                options, upTimeout, runDir);
    }

    public static IsdnLink capi(PppOptions options, Duration upTimeout, Path runDir) {
        if (options.capi() == null) {
            throw new IllegalArgumentException("CAPI options expected");
        }
        return new IsdnLink(null, options, upTimeout, runDir);
    }
}
