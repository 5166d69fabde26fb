package org.porter.dialer.link;

import java.nio.file.Path;

import org.porter.dialer.config.DialerConfig;
import org.porter.dialer.modem.AtDialog;
import org.porter.dialer.modem.JSerialLine;
import org.porter.dialer.modem.ModemDialect;
import org.porter.dialer.modem.ModemLock;

/** Makes the link the settings ask for. */
public final class Links {
    private Links() {
    }

    /** @param runDir where pppd's options file of a call lives (the data folder's {@code run/dialer}) */
    public static Link fromConfig(DialerConfig c, Path runDir) {
        PppLink.LineOpener opener = () -> JSerialLine.open(c.device(), c.speed(), true);
        ModemLock lock = new ModemLock(c.lockDir(), c.device()); // shared with pppd, efax and the fax gateway
        return switch (c.linkType()) {
            case "modem" -> new PppLink("modem", new PppLink.Dial(opener, new ModemDialect.Analog(c.pulse()), c.init(),
                    c.number(), c.dialTimeout(), AtDialog.GUARD_TIME, lock), serial(c), c.pppUpTimeout(), runDir);
            case "isdn" -> "capi".equals(c.isdnMode())
                    ? IsdnLink.capi(PppOptions.capi(c.pppd(), c.number(), c.msn(), c.isdnChannels(), c.pppUser(),
                            c.pppPassword(), c.maxConnect()).withPeer(c.pppPeer()), c.pppUpTimeout(), runDir)
                    : IsdnLink.terminalAdapter(opener, c.init(), c.msn(), c.number(), c.dialTimeout(),
                            AtDialog.GUARD_TIME, lock, serial(c), c.pppUpTimeout(), runDir);
            default -> new LanLink();
        };
    }

    private static PppOptions serial(DialerConfig c) {
        return PppOptions.serial(c.pppd(), c.device(), c.speed(), c.pppUser(), c.pppPassword(), c.maxConnect())
                .withPeer(c.pppPeer());
    }
}
