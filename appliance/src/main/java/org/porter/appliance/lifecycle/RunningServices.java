package org.porter.appliance.lifecycle;

import org.porter.dialer.DialerService;
import org.porter.mta.api.Mta;

/**
 * The services of one running Porter that its control endpoint and web admin use. The
 * {@link Appliance} owns them (starts and stops them) and hands them over; nothing finds them
 * through a static registry.
 *
 * @param mta    the open mail core
 * @param dialer the running dialer
 * @param state  since when it runs, its listeners, its problems ({@code porter status})
 */
public record RunningServices(Mta mta, DialerService dialer, ServerState state) {
}
