package org.porter.mta.smtp.client;

import java.nio.charset.StandardCharsets;

/** RFC 3461 4 xtext encoding for ENVID and ORCPT: '+', '=', controls, space and non-ASCII as "+XX". */
public final class Xtext {
    private Xtext() {
    }

    public static String encode(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if (c >= 33 && c <= 126 && c != '+' && c != '=') {
                b.append((char) c);
            } else {
                b.append('+').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return b.toString();
    }
}
