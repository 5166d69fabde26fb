package org.porter.mta.message;

/**
 * Whether a stored message has 8-bit bytes (decides BODY=8BITMIME, RFC 6152), recorded at receipt
 * while every byte passes by anyway, so that delivery does not read the body once more to find out.
 * Messages stored before it was recorded are {@link #UNKNOWN}: delivery scans those as before.
 */
public enum BodyBits {
    SEVEN_BIT, EIGHT_BIT, UNKNOWN;

    public static BodyBits of(boolean eightBit) {
        return eightBit ? EIGHT_BIT : SEVEN_BIT;
    }
}
