package org.porter.pop3.auth;

import java.util.Locale;

/** Where USER/PASS and AUTH PLAIN (the password in the clear inside the session) are allowed. */
public enum PlaintextAuth {
    /** Only inside TLS (STLS or POP3S), and from the box itself. */
    TLS_ONLY,
    /** Also without TLS from the relay networks ({@code smtp.relay-networks}: the office LAN). */
    LAN,
    /** From anywhere (not recommended: passwords cross the network in the clear). */
    ALWAYS;

    public String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
