package org.porter.pop3.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The POP3 service log ({@code porter.pop3}): one line per login, logout and refusal. */
public final class Pop3Log {
    public static final Logger LOG = LoggerFactory.getLogger("porter.pop3");

    private static final int MAX_LOGGED = 100;

    private Pop3Log() {
    }

    /**
     * A client-chosen string made safe for one log line: quoted, printable ASCII only (others as
     * \xHH), cut at 100 characters. Never pass a password here.
     */
    public static String quote(String clientText) {
        if (clientText == null) {
            return "-";
        }
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < clientText.length() && i < MAX_LOGGED; i++) {
            char c = clientText.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                out.append(c);
            } else {
                out.append(String.format("\\x%02x", (int) c & 0xff));
            }
        }
        if (clientText.length() > MAX_LOGGED) {
            out.append("...");
        }
        return out.append('"').toString();
    }
}
