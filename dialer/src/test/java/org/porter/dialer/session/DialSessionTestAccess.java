package org.porter.dialer.session;

import java.util.Map;

import org.porter.mta.api.Settings;

/** Lets other test packages use the map-backed settings of {@link DialSessionTest}. */
public final class DialSessionTestAccess {
    private DialSessionTestAccess() {
    }

    public static Settings settings(Map<String, String> values) {
        return DialSessionTest.settings(values);
    }
}
