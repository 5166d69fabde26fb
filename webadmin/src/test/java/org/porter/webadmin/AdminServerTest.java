package org.porter.webadmin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.CookieManager;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.api.Mta;
import org.porter.mta.api.PasswordHash;
import org.porter.mta.api.SettingDef;
import org.porter.webadmin.server.AdminServer;

/**
 * The admin's rules over real HTTP and HTTPS with the JDK's client, against a real Mta: who may reach
 * what, CSRF, the security headers, the HTTPS redirect, the secure cookie, static files. (The owner's
 * path in a real browser is the appliance's AdminBrowserTest.)
 */
class AdminServerTest {
    static {
        System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true"); // the self-signed box certificate
    }

    @TempDir
    Path dir;
    Mta mta;
    AdminServer admin;
    String http;
    String https;

    @BeforeEach
    void start() throws Exception {
        List<SettingDef> defs = new java.util.ArrayList<>(AdminSettings.definitions());
        defs.add(new SettingDef(AdminSettings.PASSWORD_HASH, "", "the admin password's hash", v -> v, true));
        mta = Mta.open(dir, "mail.office.example", defs);
        mta.settings().set(AdminSettings.PASSWORD_HASH, PasswordHash.hash("right-password".toCharArray()));
        mta.settings().set(AdminSettings.SETUP_DONE, "true");
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        admin = AdminServer.start(new AdminServices(mta, Optional::empty, dir, Clock.systemDefaultZone()), any,
                Optional.of(any), mta.tlsContext());
        http = "http://127.0.0.1:" + admin.httpAddress().getPort();
        https = "https://127.0.0.1:" + admin.httpsAddress().orElseThrow().getPort();
    }

    @AfterEach
    void stop() throws Exception {
        admin.close();
        mta.close();
    }

    static HttpClient client() throws Exception {
        SSLContext trustAll = SSLContext.getInstance("TLS");
        trustAll.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] c, String a) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] c, String a) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        return HttpClient.newBuilder().cookieHandler(new CookieManager()).sslContext(trustAll)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    static HttpResponse<String> get(HttpClient c, String url) throws Exception {
        return c.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(HttpClient c, String url, String form) throws Exception {
        return c.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String csrf(String page) {
        Matcher m = Pattern.compile("name=\"_csrf\" value=\"([0-9a-f]{64})\"").matcher(page);
        assertThat(m.find()).as(page).isTrue();
        return m.group(1);
    }

    @Test
    void signedOutRequestsGoToTheSignInPageAndChangeNothing() throws Exception {
        HttpClient c = client();
        HttpResponse<String> page = get(c, http + "/users");
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.headers().firstValue("Location")).hasValue("/login");
        assertThat(get(c, http + "/api/status").statusCode()).isEqualTo(401);
        HttpResponse<String> forged = post(c, http + "/domains/add", "domain=forged.example");
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.body()).doesNotContain("Exception");
        assertThat(mta.directory().domains()).isEmpty();
    }

    @Test
    void everyChangeNeedsTheSessionsCsrfToken() throws Exception {
        HttpClient c = client();
        assertThat(post(c, http + "/login", "user=admin&password=wrong").statusCode()).isEqualTo(401);
        HttpResponse<String> in = post(c, http + "/login", "user=admin&password=right-password");
        assertThat(in.statusCode()).isEqualTo(303);
        assertThat(in.headers().firstValue("Set-Cookie").orElse("")).contains("HttpOnly", "SameSite=Strict");
        String token = csrf(get(c, http + "/domains").body());

        HttpResponse<String> noToken = post(c, http + "/domains/add", "domain=office.example");
        assertThat(noToken.statusCode()).isEqualTo(403);
        HttpResponse<String> wrongToken = post(c, http + "/domains/add", "domain=office.example&_csrf=" + "0".repeat(64));
        assertThat(wrongToken.statusCode()).isEqualTo(403);
        assertThat(mta.directory().domains()).isEmpty();

        HttpResponse<String> ok = post(c, http + "/domains/add", "domain=office.example&_csrf=" + token);
        assertThat(ok.statusCode()).isEqualTo(303);
        assertThat(mta.directory().domains()).containsExactly("office.example");

        HttpResponse<String> bad = post(c, http + "/domains/add", "domain=not+a+domain&_csrf=" + token);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("Nothing was changed").contains("class=\"error\"");
        assertThat(mta.directory().domains()).containsExactly("office.example");

        // the API: the token in a header
        HttpResponse<String> api = c.send(HttpRequest.newBuilder(URI.create(http + "/api/users")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(api.statusCode()).isEqualTo(200);
        assertThat(api.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    }

    @Test
    void headersStaticFilesAndAPlainNotFound() throws Exception {
        HttpClient c = client();
        HttpResponse<String> login = get(c, http + "/login");
        assertThat(login.statusCode()).isEqualTo(200);
        assertThat(login.headers().firstValue("Content-Security-Policy").orElse(""))
                .contains("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'").doesNotContain("unsafe-inline");
        assertThat(login.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(login.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(login.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(login.headers().firstValue("Server")).isEmpty();
        assertThat(login.body()).doesNotContain("<script>").contains("<script src=\"/static/admin.js\" defer></script>");

        HttpResponse<String> js = get(c, http + "/static/admin.js");
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.headers().firstValue("Content-Type").orElse("")).contains("javascript");
        assertThat(get(c, http + "/static/admin.css").statusCode()).isEqualTo(200);
        assertThat(get(c, http + "/static/%2e%2e/AdminSettings.class").statusCode()).isIn(400, 404);

        post(c, http + "/login", "user=admin&password=right-password");
        HttpResponse<String> missing = get(c, http + "/no/such/page");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("no page at this address");
    }

    /** A key and self-signed certificate made by the openssl command line, as a CA's files would come. */
    static String[] openssl(Path dir, String name) throws Exception {
        Path key = dir.resolve(name + "-key.pem");
        Path cert = dir.resolve(name + "-cert.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(),
                "-out", cert.toString(), "-days", "30", "-subj", "/CN=" + name, "-addext", "subjectAltName=DNS:" + name)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        return new String[] {java.nio.file.Files.readString(cert), java.nio.file.Files.readString(key)};
    }

    @Test
    void aPastedCertificateIsCheckedAgainstItsKeyBeforeItIsKept() throws Exception {
        HttpClient c = client();
        post(c, http + "/login", "user=admin&password=right-password");
        String token = csrf(get(c, http + "/settings").body());
        String[] mail = openssl(dir, "mail.office.example");
        String[] other = openssl(dir, "other.example");
        java.util.function.Function<String, String> enc = v -> java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8);

        HttpResponse<String> mismatch = post(c, http + "/settings/tls", "_csrf=" + token + "&certificate=" + enc.apply(mail[0])
                + "&key=" + enc.apply(other[1]));
        assertThat(mismatch.statusCode()).isEqualTo(400);
        assertThat(mismatch.body()).contains("does not belong to the certificate");
        HttpResponse<String> garbage = post(c, http + "/settings/tls", "_csrf=" + token + "&certificate=hello&key=" + enc.apply(mail[1]));
        assertThat(garbage.body()).contains("not a certificate in PEM form");
        assertThat(mta.settings().get("tls.certificate")).isEmpty();
        assertThat(mismatch.body()).doesNotContain("PRIVATE KEY-----\nMII");

        HttpResponse<String> ok = post(c, http + "/settings/tls", "_csrf=" + token + "&certificate=" + enc.apply(mail[0])
                + "&key=" + enc.apply(mail[1]));
        assertThat(ok.statusCode()).isEqualTo(303);
        assertThat(mta.settings().get("tls.certificate")).endsWith("tls/installed-cert.pem");
        assertThat(mta.settings().get("tls.key")).endsWith("tls/installed-key.pem");
        assertThat(java.nio.file.Files.getPosixFilePermissions(Path.of(mta.settings().get("tls.key"))))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        String page = get(c, http + "/settings?topic=tls").body();
        assertThat(page).contains("Installed the certificate for CN=mail.office.example", "names: mail.office.example");
    }

    /** curl, as a script would call the API; returns "STATUS BODY". */
    static String curl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("curl", "-s", "-w", "\n%{http_code}"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertThat(p.waitFor()).as(out).isZero();
        int nl = out.lastIndexOf('\n');
        return out.substring(nl + 1) + " " + out.substring(0, Math.max(0, nl));
    }

    @Test
    void scriptsUseTheApiWithABearerTokenMadeAndRevokedInTheAdmin() throws Exception {
        mta.directory().addDomain("office.example");
        HttpClient c = client();
        post(c, http + "/login", "user=admin&password=right-password");
        String token = csrf(get(c, http + "/settings").body());
        String made = post(c, http + "/settings/api-token", "_csrf=" + token + "&action=create").body();
        Matcher m = Pattern.compile("<code id=\"api-token\">([0-9a-f]{64})</code>").matcher(made);
        assertThat(m.find()).as(made).isTrue();
        String api = m.group(1);
        assertThat(mta.settings().get(AdminSettings.API_TOKEN_HASH)).as("only a hash is kept").doesNotContain(api).hasSize(64);
        assertThat(get(c, http + "/settings").body()).as("shown once").doesNotContain(api);

        assertThat(curl("-H", "Authorization: Bearer " + api, http + "/api/users")).startsWith("200 [");
        assertThat(curl("-H", "Authorization: Bearer " + api, "-d", "address=carol@office.example", "-d", "password=carol-password",
                http + "/api/users/add")).startsWith("201 ");
        assertThat(mta.directory().authenticate("carol@office.example", "carol-password".toCharArray())).isPresent();
        assertThat(curl("-H", "Authorization: Bearer " + api, "-d", "address=carol@office.example", http + "/api/users/add"))
                .startsWith("400 ").contains("missing field: password");
        assertThat(curl("-H", "Authorization: Bearer " + "f".repeat(64), http + "/api/users")).startsWith("401 ");
        assertThat(curl("-H", "Authorization: Bearer " + api, http + "/users")).as("the token opens the API only").startsWith("302 ");
        assertThat(mta.audit().recent(5)).anyMatch(e -> e.what().equals("added user carol@office.example (API)")
                && e.who().equals("api-token"));

        assertThat(curl("-H", "Authorization: Bearer " + api, "-d", "domain=branch.example", http + "/api/domains/add")).startsWith("201 ");
        assertThat(curl("-H", "Authorization: Bearer " + api, "-d", "alias=team@branch.example", "-d", "target=carol@office.example",
                "-d", "target=boss@elsewhere.example", http + "/api/aliases/add")).startsWith("200 ");
        assertThat(mta.directory().aliases()).anyMatch(a -> a.alias().equals("team@branch.example") && a.targets().size() == 2);
        assertThat(curl("-H", "Authorization: Bearer " + api, "-d", "id=NOSUCHID", http + "/api/queue/hold"))
                .startsWith("400 ").contains("no such message in the queue");
        assertThat(curl("-H", "Authorization: Bearer " + api, http + "/api/domains/add")).as("a change needs POST").startsWith("400 ");

        post(c, http + "/settings/api-token", "_csrf=" + token + "&action=revoke");
        assertThat(curl("-H", "Authorization: Bearer " + api, http + "/api/users")).startsWith("401 ");
    }

    @Test
    void overHttpsTheCookieIsSecureAndPlainHttpCanBeRedirected() throws Exception {
        HttpClient c = client();
        HttpResponse<String> login = get(c, https + "/login");
        assertThat(login.statusCode()).isEqualTo(200);
        assertThat(login.headers().firstValue("Strict-Transport-Security")).isPresent();
        HttpResponse<String> in = post(c, https + "/login", "user=admin&password=right-password");
        assertThat(in.headers().firstValue("Set-Cookie").orElse("")).contains("Secure", "HttpOnly", "SameSite=Strict");

        assertThat(get(c, http + "/login").statusCode()).as("redirect off by default").isEqualTo(200);
        // a CBC suite is refused over TLS 1.2, as on every other listener (openssl s_client as the client)
        String port = https.substring(https.lastIndexOf(':') + 1);
        Process cbc = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-tls1_2", "-cipher",
                "ECDHE-RSA-AES128-SHA").redirectErrorStream(true).start();
        cbc.getOutputStream().close();
        String cbcOut = new String(cbc.getInputStream().readAllBytes());
        assertThat(cbc.waitFor()).as(cbcOut).isNotZero();
        Process gcm = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-tls1_2", "-cipher",
                "ECDHE-RSA-AES128-GCM-SHA256").redirectErrorStream(true).start();
        gcm.getOutputStream().close();
        String gcmOut = new String(gcm.getInputStream().readAllBytes());
        assertThat(gcmOut).contains("ECDHE-RSA-AES128-GCM-SHA256");
        mta.settings().set(AdminSettings.HTTP_REDIRECT, "true");
        HttpResponse<String> moved = get(c, http + "/queue?filter=held");
        assertThat(moved.statusCode()).isEqualTo(301);
        assertThat(moved.headers().firstValue("Location")).hasValue(https + "/queue?filter=held");
    }
}
