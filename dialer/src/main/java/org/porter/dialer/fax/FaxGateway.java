package org.porter.dialer.fax;

import org.porter.dialer.modem.ModemLock;
import java.nio.file.Path;
import java.time.Duration;

import org.porter.dialer.config.DialerSettings;
import org.porter.mta.api.Mta;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the fax gateway when {@code fax.device} names a fax modem, sending and answering calls
 * ({@link FaxAnswering}), also on the dial-up link's modem (they take turns by its UUCP lock): Ghostscript and libtiff render,
 * efax sends ({@code /usr/bin/efax}), pages are made under {@code DATA/tmp/fax}. Called by
 * {@code porter serve} at start.
 */
public final class FaxGateway {
    private static final Logger LOG = LoggerFactory.getLogger(FaxGateway.class);

    private FaxGateway() {
    }

    /** True when the gateway was opened. */
    public static boolean startIfConfigured(Mta mta, Path dataDir) {
        String device = mta.settings().get(DialerSettings.FAX_DEVICE).strip();
        if (device.isEmpty()) {
            return false;
        }
        ModemLock lock = new ModemLock(Path.of(mta.settings().get(DialerSettings.MODEM_LOCK_DIR)), Path.of(device));
        String station = mta.settings().get(DialerSettings.FAX_STATION_ID);
        EfaxLine line = new EfaxLine(FaxRenderer.debian(), new EfaxEngine(EFAX, Path.of(device), station,
                Duration.ofMinutes(30), java.util.Optional.of(lock.file())), dataDir.resolve("tmp").resolve("fax"), lock);
        mta.faxLine(line);
        LOG.info("fax gateway open: mail to NUMBER@fax.<office domain> goes out through the fax modem on {}", device);
        if (sharedWithDialer(mta.settings(), device)) {
            // the dialer takes the modem's lock for each call (PppLink); efax waiting for calls gives way
            LOG.info("fax gateway shares {} with the dial-up link: fax calls are answered while the link is down", device);
        }
        FaxAnswering answering = new FaxAnswering(line, new EfaxReceiver(EFAX, Path.of(device), station,
                java.util.Optional.of(lock.file())), new FaxInbox(mta, dataDir.resolve("fax").resolve("kept")), lock,
                station, dataDir.resolve("fax").resolve("incoming")); // not tmp: a fax not yet mailed stays
        Thread.ofPlatform().daemon().name("fax-answering").start(answering);
        LOG.info("fax gateway answers calls on {}: received faxes are mailed as PDF (fax.receive-to, fax.admin)", device);
        return true;
    }

    /** Whether the dial-up link dials on the fax modem too (link.type modem, or ISDN through a terminal adapter). */
    static boolean sharedWithDialer(org.porter.mta.api.Settings settings, String faxDevice) {
        String type = settings.get(DialerSettings.LINK_TYPE);
        boolean serial = "modem".equals(type) || "isdn".equals(type) && "ta".equals(settings.get(DialerSettings.ISDN_MODE));
        return serial && Path.of(settings.get(DialerSettings.MODEM_DEVICE)).normalize().equals(Path.of(faxDevice).normalize());
    }

    private static final Path EFAX = Path.of("/usr/bin/efax");
}
