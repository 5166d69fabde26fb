package org.porter.mta.message;

import java.security.SecureRandom;
import java.time.Instant;

/**
 * A message's id in logs, replies ("queued as ...") and Received headers: 14 upper-case base-32
 * characters, time-ordered (microseconds since the epoch) with 15 random bits so ids never repeat,
 * also across restarts and restores.
 */
public record QueueId(String value) {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] DIGITS = "0123456789BCDFGHJKLMNPQRSTVWXYZ".toCharArray();

    public static QueueId next(Instant now) {
        long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
        StringBuilder b = new StringBuilder();
        append(b, micros, 11);
        append(b, RANDOM.nextInt(31 * 31 * 31), 3);
        return new QueueId(b.toString());
    }

    private static void append(StringBuilder b, long v, int digits) {
        char[] out = new char[digits];
        for (int i = digits - 1; i >= 0; i--) {
            out[i] = DIGITS[(int) Long.remainderUnsigned(v, DIGITS.length)];
            v = Long.divideUnsigned(v, DIGITS.length);
        }
        b.append(out);
    }

    @Override
    public String toString() {
        return value;
    }
}
