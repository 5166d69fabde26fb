package org.porter.appliance.lifecycle;

import java.nio.file.Path;
import java.util.List;

import org.porter.mta.api.Mta;
import org.porter.mta.api.SettingDef;

/** How the appliance opens the mail core: {@code Mta::open} in production, a fake in tests. */
@FunctionalInterface
public interface MtaFactory {
    Mta open(Path dataDir, String hostname, List<SettingDef> moreSettings);
}
