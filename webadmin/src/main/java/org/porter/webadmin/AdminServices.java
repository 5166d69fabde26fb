package org.porter.webadmin;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import org.porter.dialer.DialerService;
import org.porter.mta.api.Mta;

/**
 * What the admin's pages may use: the same service APIs as the {@code porter} CLI (the Mta's
 * directory, settings, queue and call log, and the running dialer), never the database.
 *
 * @param mta     the open mail core
 * @param dialer  the running dialer, empty while none runs
 * @param dataDir the data folder (disk use and database size on the dashboard)
 * @param clock   the clock for "today" and the session's idle time
 * @param logDir  the folder of porter.log and maillog (the setting log.folder; the data folder by default)
 * @param health  what the box itself knows is wrong, in the owner's words (the logs cannot be written...)
 */
public record AdminServices(Mta mta, Supplier<Optional<DialerService>> dialer, Path dataDir, Clock clock, Path logDir,
        Supplier<List<String>> health) {

    /** Logs in the data folder, nothing known to be wrong. */
    public AdminServices(Mta mta, Supplier<Optional<DialerService>> dialer, Path dataDir, Clock clock) {
        this(mta, dialer, dataDir, clock, dataDir, List::of);
    }
}
