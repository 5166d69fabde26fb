package org.porter.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.porter.mta.testing.TestTime;

/**
 * Support access on the booted appliance, from the host as the owner and the support person do it: SSH is
 * off at first (nothing answers on 22); the owner signs in to the admin over HTTPS with the first login
 * from the console, pastes support's public key and turns access on; then {@code ssh support@box} with
 * that key works (dropbear, started by the root unit watching Porter's folder), and after "off" it no
 * longer does. The console shows the support console login set at the first boot.
 */
final class SupportOverSsh {
    private SupportOverSsh() {
    }

    static void check(QemuVm vm, Path work) throws Exception {
        long t0 = System.nanoTime();
        assertThat(vm.awaitConsole("Support console login: user support, password \\S{16} ", Duration.ofMinutes(2)))
                .as("the support console login on the console").isTrue();
        Path key = work.resolve("support-key");
        Files.deleteIfExists(key);
        Files.deleteIfExists(work.resolve("support-key.pub"));
        ApplianceBootTest.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "support@boot-test", "-f", key.toString()));
        int port = vm.hostPort(22);
        assertThat(ssh(key, port).status).as("SSH is off until the owner turns it on").isNotZero();

        Matcher login = Pattern.compile("Porter admin login created: user admin, password (\\S+)").matcher(vm.consoleText());
        assertThat(login.find()).isTrue();
        HttpClient http = httpsClient();
        String base = "https://127.0.0.1:" + vm.hostPort(443);
        HttpResponse<String> signIn = post(http, base + "/login", "user", "admin", "password", login.group(1));
        assertThat(signIn.statusCode()).as("signed in").isEqualTo(303);
        post(http, base + "/support/key", "key", Files.readString(work.resolve("support-key.pub")).strip(),
                "_csrf", csrf(http, base));
        HttpResponse<String> on = post(http, base + "/support/on", "_csrf", csrf(http, base));
        assertThat(on.statusCode()).isEqualTo(303);

        Result in = null;
        long deadline = System.nanoTime() + TestTime.scaled(Duration.ofMinutes(4)).toNanos();
        while (System.nanoTime() < deadline && (in == null || in.status != 0)) {
            in = ssh(key, port);
        }
        assertThat(in.output).as("ssh support@box with the key set in the admin").isEqualTo("support\n");
        assertThat(get(http, base + "/support").body()).contains("The box reports: on: an SSH server runs on port 22");

        post(http, base + "/support/off", "_csrf", csrf(http, base));
        Result after = null;
        deadline = System.nanoTime() + TestTime.scaled(Duration.ofMinutes(2)).toNanos();
        while (System.nanoTime() < deadline && (after == null || after.status == 0)) {
            after = ssh(key, port);
        }
        assertThat(after.status).as("SSH is off again").isNotZero();
        ApplianceBootTest.figure("support access: off, on over SSH, off again", t0);
    }

    /** HTTPS to the box's own certificate (as the owner accepts it once), with cookies (the admin's session). */
    private static HttpClient httpsClient() throws Exception {
        javax.net.ssl.SSLContext trustAll = ApplianceBootTest.trustTheBox();
        return HttpClient.newBuilder().sslContext(trustAll).cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(30)).build();
    }

    private record Result(int status, String output) {
    }

    private static Result ssh(Path key, int port) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ssh", "-i", key.toString(), "-p", Integer.toString(port),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                "-o", "ConnectTimeout=30", "-o", "LogLevel=ERROR", "support@127.0.0.1", "id", "-un"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(TestTime.seconds(90), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, out);
        }
        if (p.exitValue() != 0) {
            Thread.sleep(2000);     // the box is still starting the server (or stopping it)
        }
        return new Result(p.exitValue(), out);
    }

    private static String csrf(HttpClient http, String base) throws Exception {
        HttpResponse<String> page = get(http, base + "/support");
        assertThat(page.statusCode()).as("the Support access page").isEqualTo(200);
        Matcher m = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(page.body());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(1)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(HttpClient http, String url, String... fields) throws Exception {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < fields.length; i += 2) {
            body.append(body.isEmpty() ? "" : "&").append(fields[i]).append('=')
                    .append(URLEncoder.encode(fields[i + 1], StandardCharsets.UTF_8));
        }
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(2))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
    }
}
