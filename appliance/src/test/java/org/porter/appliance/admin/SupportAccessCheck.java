package org.porter.appliance.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.Base64;

/**
 * The admin's Support access page in the browser (AdminBrowserTest): off at first; a private key, a weak RSA key
 * and a hostile comment are refused or shown as text; an ed25519 key is kept with the fingerprint ssh-keygen
 * gives; on and off write the state the box's root watcher (porter-support.path) acts on.
 */
final class SupportAccessCheck {
    private SupportAccessCheck() {
    }

    static void run(Browser browser, Path data) throws Exception {
        browser.open("/settings");
        browser.find("#support-link").click();
        browser.awaitText("Support access is off");
        assertThat(browser.text()).contains("Add the support person's key below first.");

        browser.type("key", "-----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjEAAAAA").press("Keep this key");
        browser.awaitText("That is a private key: never give it away.");
        browser.type("key", "ssh-rsa " + rsaBlob(1024) + " old@pc").press("Keep this key");
        browser.awaitText("This RSA key has 1024 bits: too weak.").screenshot("40-support-refused");
        assertThat(data.resolve("support/authorized_key")).doesNotExist();

        String key = "ssh-ed25519 " + ed25519Blob() + " tech@reseller.example <b>bold</b>";
        browser.type("key", key).press("Keep this key");
        browser.awaitText("is kept. Turn support access on when support needs it.");
        assertThat(Files.readString(data.resolve("support/authorized_key")).strip()).isEqualTo(key);
        assertThat(Files.readString(data.resolve("support/state")).strip()).isEqualTo("off");
        assertThat(browser.find("#support-fingerprint").getText()).isEqualTo(sshKeygenFingerprint(data, key));
        assertThat(browser.text()).contains("(tech@reseller.example <b>bold</b>)");   // shown as text, not markup

        browser.press("Turn support access on");
        browser.awaitText("Support access is on: support can log in over SSH with their key.").screenshot("41-support-on");
        assertThat(Files.readString(data.resolve("support/state")).strip()).isEqualTo("on");
        browser.press("Turn support access off");
        browser.awaitText("Support access is off: nobody can log in over SSH.");
        assertThat(Files.readString(data.resolve("support/state")).strip()).isEqualTo("off");
        browser.press("Remove the key");
        browser.awaitText("The support key was removed and support access is off.");
        assertThat(data.resolve("support/authorized_key")).doesNotExist();
    }

    /** What ssh-keygen -l says the key's fingerprint is (an independent check of the page's). */
    private static String sshKeygenFingerprint(Path data, String line) throws Exception {
        Path pub = Files.writeString(Files.createTempFile(data, "key", ".pub"), line + "\n");
        Process p = new ProcessBuilder("ssh-keygen", "-l", "-E", "sha256", "-f", pub.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out.split(" ")[1];
    }

    private static String ed25519Blob() throws Exception {
        byte[] x509 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded();
        return blob("ssh-ed25519", Arrays.copyOfRange(x509, x509.length - 32, x509.length));
    }

    private static String rsaBlob(int bits) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(bits);
        var k = (java.security.interfaces.RSAPublicKey) g.generateKeyPair().getPublic();
        return blob("ssh-rsa", k.getPublicExponent().toByteArray(), k.getModulus().toByteArray());
    }

    private static String blob(String type, byte[]... fields) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(buf);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeInt(t.length);
        out.write(t);
        for (byte[] f : fields) {
            out.writeInt(f.length);
            out.write(f);
        }
        return Base64.getEncoder().encodeToString(buf.toByteArray());
    }
}
