package org.porter.dialer.fax;

import java.nio.file.Path;
import java.time.Duration;

import org.porter.dialer.config.DialerSettings;
import org.porter.mta.api.Mta;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the fax gateway when {@code fax.device} names a fax modem: Ghostscript and libtiff render,
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
        mta.faxLine(new EfaxLine(FaxRenderer.debian(), new EfaxEngine(Path.of("/usr/bin/efax"), Path.of(device),
                mta.settings().get(DialerSettings.FAX_STATION_ID), Duration.ofMinutes(30)),
                dataDir.resolve("tmp").resolve("fax")));
        LOG.info("fax gateway open: mail to NUMBER@fax.<office domain> goes out through the fax modem on {}", device);
        return true;
    }
}
