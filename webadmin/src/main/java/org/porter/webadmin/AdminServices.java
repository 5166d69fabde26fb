package org.porter.webadmin;

import java.nio.file.Path;
import java.time.Clock;
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
 */
public record AdminServices(Mta mta, Supplier<Optional<DialerService>> dialer, Path dataDir, Clock clock) {
}
