package org.porter.mta.fetch;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.porter.mta.api.FetchControl;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.routing.Route;
import org.porter.mta.store.FetchStore;

/**
 * The accounts Porter collects from and the collections themselves: checks what the owner enters
 * (clear refusals, nothing stored on a bad field), runs one collection at a time.
 */
public final class FetchService implements FetchControl {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private final FetchStore store;
    private final Collector.Parts parts;
    private final Collector collector;

    public FetchService(FetchStore store, Collector.Parts parts) {
        this.store = store;
        this.parts = parts;
        this.collector = new Collector(parts);
    }

    @Override
    public void add(Account a, char[] password) {
        try {
            store.add(check(a, password), password);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private Account check(Account a, char[] password) {
        String name = a.name() == null ? "" : a.name().toLowerCase(Locale.ROOT);
        if (!NAME.matcher(name).matches()) {
            throw new InvalidRequestException("account name: use 1-64 letters, digits, '.', '_' or '-', not '" + a.name() + "'");
        }
        try {
            org.porter.mta.api.HostPort.parse(a.host(), 110); // the settings' host check, not a second one
        } catch (InvalidRequestException e) {
            throw new InvalidRequestException("server: " + e.getMessage());
        }
        if (a.port() < 1 || a.port() > 65535) {
            throw new InvalidRequestException("port: must be 1-65535, not " + a.port());
        }
        if (a.user() == null || a.user().isBlank() || a.user().length() > 320 || a.user().chars().anyMatch(c -> c < 0x21)) {
            throw new InvalidRequestException("user: the login name at the ISP, without spaces");
        }
        if (password == null || password.length == 0 || password.length > 200) {
            throw new InvalidRequestException("password: the ISP mailbox's password (1-200 characters)");
        }
        for (char ch : password) {
            if (ch == '\r' || ch == '\n') {
                throw new InvalidRequestException("password: must not contain a line break");
            }
        }
        String envelope = a.envelope() == null ? "auto" : a.envelope().toLowerCase(Locale.ROOT);
        if (!ENVELOPE_CHOICES.contains(envelope)) {
            throw new InvalidRequestException("envelope header: one of " + String.join(", ", ENVELOPE_CHOICES));
        }
        String deliverTo = a.deliverTo() == null ? null : a.deliverTo().toLowerCase(Locale.ROOT);
        if (a.mode() == Mode.SINGLE && deliverTo == null) {
            throw new InvalidRequestException("deliver to: say which local address gets the mail (or collect for the whole office: multidrop)");
        }
        if (deliverTo != null && !(parts.router().route(deliverTo, false) instanceof Route.Accepted)) {
            throw new InvalidRequestException("deliver to: " + deliverTo + " is not a local user or alias");
        }
        if (a.keepDays() < 0 || a.keepDays() > 3650) {
            throw new InvalidRequestException("keep days: 0 (delete once collected) to 3650");
        }
        if (a.maxSize() < 1024) {
            throw new InvalidRequestException("size limit: at least 1024 octets");
        }
        if (a.trustedCertificate() != null) {
            certificates(a.trustedCertificate());
        }
        return new Account(name, a.host(), a.port(), a.tls(), a.user(), a.mode(), deliverTo, envelope,
                a.keepDays(), a.maxSize(), a.trustedCertificate());
    }

    @Override
    public List<Account> list() {
        return store.list().stream().map(FetchStore.Stored::account).toList();
    }

    @Override
    public Optional<Account> find(String name) {
        return store.find(name).map(FetchStore.Stored::account);
    }

    @Override
    public void remove(String name) {
        store.remove(name);
    }

    @Override
    public synchronized String test(String name) {
        FetchStore.Stored s = stored(name);
        Account a = s.account();
        char[] password = store.password(s);
        try (Pop3Client pop = Pop3Client.connect(a.host(), a.port(), a.tls(), tls(a), parts.connectTimeout(),
                parts.readTimeout())) {
            pop.login(a.user(), password);
            Map<Integer, Long> sizes = pop.list();
            long total = sizes.values().stream().mapToLong(Long::longValue).sum();
            pop.quit();
            return a.name() + ": logged in" + (pop.encrypted() ? " over TLS" : " (not encrypted)") + "; "
                    + sizes.size() + (sizes.size() == 1 ? " message" : " messages") + " (" + (total + 1023) / 1024
                    + " KB) on the server";
        } catch (IOException | RuntimeException e) {
            return a.name() + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    @Override
    public synchronized List<Report> collect(Optional<String> name) {
        List<FetchStore.Stored> accounts = name.isPresent() ? List.of(stored(name.get())) : store.list();
        List<Report> out = new ArrayList<>();
        for (FetchStore.Stored s : accounts) {
            char[] password = store.password(s);
            try {
                out.add(collector.run(s, password, tls(s.account())));
            } catch (RuntimeException e) {
                out.add(new Report(s.account().name(), 0, 0, 0, 0, 0, e.getMessage()));
            } finally {
                Arrays.fill(password, '\0');
            }
        }
        return out;
    }

    private FetchStore.Stored stored(String name) {
        return store.find(name).orElseThrow(() -> new InvalidRequestException("no account named " + name
                + " (see: porter fetch list)"));
    }

    /** The system's authorities, or only the certificate(s) the owner gave for this server. */
    static SSLContext tls(Account a) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (a.trustedCertificate() == null) {
                tmf.init((KeyStore) null);
            } else {
                KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
                ks.load(null, null);
                int i = 0;
                for (Certificate c : certificates(a.trustedCertificate())) {
                    ks.setCertificateEntry("trusted-" + i++, c);
                }
                tmf.init(ks);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("TLS is not available: " + e.getMessage(), e);
        }
    }

    private static Collection<? extends Certificate> certificates(String pem) {
        try {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            if (certs.isEmpty()) {
                throw new InvalidRequestException("trusted certificate: no PEM certificate found");
            }
            return certs;
        } catch (java.security.cert.CertificateException e) {
            throw new InvalidRequestException("trusted certificate: not a PEM certificate (" + e.getMessage() + ")");
        }
    }
}
