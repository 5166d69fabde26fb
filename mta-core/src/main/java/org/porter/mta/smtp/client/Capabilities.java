package org.porter.mta.smtp.client;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The server's EHLO keywords (RFC 5321 4.1.1.1): keyword (upper case) → parameters. HELO
 * sessions have none. The obsolete "AUTH=LOGIN" form some servers still send counts as AUTH.
 */
public record Capabilities(Map<String, String> keywords) {
    public static final Capabilities NONE = new Capabilities(Map.of());

    public static Capabilities of(Reply ehlo) {
        Map<String, String> k = new HashMap<>();
        List<String> lines = ehlo.lines();
        for (int i = 1; i < lines.size(); i++) { // the first line is the server's name
            String l = lines.get(i).strip();
            if (l.isEmpty()) {
                continue;
            }
            int sp = l.indexOf(' ');
            String key = (sp < 0 ? l : l.substring(0, sp)).toUpperCase(Locale.ROOT);
            String params = sp < 0 ? "" : l.substring(sp + 1).strip();
            if (key.startsWith("AUTH=")) {
                params = (l.substring(5, sp < 0 ? l.length() : sp) + " " + params).strip();
                key = "AUTH";
            }
            if (key.equals("AUTH")) {
                params = (k.getOrDefault(key, "") + " " + params).strip();
                k.put(key, params);
            } else {
                k.putIfAbsent(key, params);
            }
        }
        return new Capabilities(Map.copyOf(k));
    }

    public boolean has(String keyword) {
        return keywords.containsKey(keyword);
    }

    /** SIZE's announced limit, or 0 when unlimited or not announced. */
    public long sizeLimit() {
        String p = keywords.get("SIZE");
        if (p == null || p.isEmpty()) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(p.split("\\s+")[0]));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public boolean authMechanism(String mech) {
        String p = keywords.get("AUTH");
        if (p == null) {
            return false;
        }
        for (String m : p.toUpperCase(Locale.ROOT).split("\\s+")) {
            if (m.equals(mech)) {
                return true;
            }
        }
        return false;
    }
}
