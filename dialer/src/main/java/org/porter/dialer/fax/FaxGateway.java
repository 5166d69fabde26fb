package org.porter.dialer.fax;

import java.nio.file.Path;
import java.time.Duration;

import org.porter.dialer.config.DialerSettings;
import org.porter.mta.api.Mta;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the fax gateway when {@code fax.device} names a fax modem, sending and (unless the dialer dials on
 * the same modem) answering calls ({@link FaxAnswering}): Ghostscript and libtiff render,
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
        ModemLock lock = new ModemLock(LOCK_DIR, Path.of(device));
        String station = mta.settings().get(DialerSettings.FAX_STATION_ID);
        EfaxLine line = new EfaxLine(FaxRenderer.debian(), new EfaxEngine(EFAX, Path.of(device), station,
                Duration.ofMinutes(30), java.util.Optional.of(lock.file())), dataDir.resolve("tmp").resolve("fax"), lock);
        mta.faxLine(line);
        LOG.info("fax gateway open: mail to NUMBER@fax.<office domain> goes out through the fax modem on {}", device);
        if (sharedWithDialer(mta.settings(), device)) {
            // the dialer's own AT dialling (before pppd takes the lock) does not take the UUCP lock, so an
            // efax waiting for calls would take the dialer's modem replies for a call: no answering here
            LOG.warn("fax gateway does not answer calls: {} is also the dial-up modem (modem.device); faxes are"
                    + " sent when the dial-up link is down", device);
            return true;
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

    /** Where pppd, efax and the other serial programs keep their UUCP lock files. */
    static final Path LOCK_DIR = Path.of("/var/lock");
    private static final Path EFAX = Path.of("/usr/bin/efax");
}
