package org.porter.mta;

import java.nio.file.Path;
import java.util.List;

import org.porter.mta.api.Mta;
import org.porter.mta.api.SettingDef;

/** Wires the mail core's services together; see {@link Mta}. */
public final class MtaCore {
    private MtaCore() {
    }

    public static Mta open(Path dataDir, String hostname, List<SettingDef> moreSettings) {
        throw new UnsupportedOperationException("being written");
    }
}
