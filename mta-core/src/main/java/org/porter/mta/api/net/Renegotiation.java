package org.porter.mta.api.net;

/**
 * JSSE's switch against client-initiated renegotiation (a TLS 1.2 client's ClientHello inside an
 * established session; TLS 1.3 has none): {@code jdk.tls.rejectClientInitiatedRenegotiation}. JSSE
 * reads it once, when its server handshake class initialises (at the first server handshake in
 * the JVM), and offers no per-engine form, so it must be set before that: by
 * {@link TlsCredentials}' static initialiser (every server SSLContext of Porter is made there) and
 * first thing in the appliance's {@code Main}. A class of its own, without a logger, so that
 * {@code Main} can call it before logging is configured.
 */
public final class Renegotiation {
    static final String PROPERTY = "jdk.tls.rejectClientInitiatedRenegotiation";

    private Renegotiation() {
    }

    /** Asks JSSE to refuse client-initiated renegotiation; a value the operator set explicitly is kept. */
    public static void refuseClientInitiated() {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, "true");
        }
    }
}
