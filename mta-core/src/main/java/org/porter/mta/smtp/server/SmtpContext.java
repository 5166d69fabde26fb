package org.porter.mta.smtp.server;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

import org.porter.mta.api.net.ConnectionLimiter;
import org.porter.mta.config.MtaSettings;
import org.porter.mta.intake.Intake;
import org.porter.mta.routing.Router;

/** What the SMTP handlers share: shared by all connections, so nothing per-session lives here. */
public record SmtpContext(ListenerKind kind, String hostname, MtaSettings settings, Router router, Intake intake, Path spoolDir,
        Clock clock, Supplier<List<String>> localDomains, ConnectionLimiter connections,
        org.porter.mta.api.Directory directory, AuthThrottle authThrottle) {
}
