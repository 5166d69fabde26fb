package org.porter.mta.smtp.client;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** The TLS context of Porter's SMTP clients (delivery and ETRN). */
public final class ClientTls {
    private ClientTls() {
    }

    /**
     * A TLS context that accepts any server certificate (RFC 7435 opportunistic security): TLS
     * then guards against passive eavesdropping only, not against an active man in the middle.
     */
    public static SSLContext trustAnyServer() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                    // a client context: never asked
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                    // opportunistic: any certificate will do
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS in this JDK", e);
        }
    }
}
