package org.porter.webadmin.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.api.InvalidRequestException;

/** What a pasted support key must be, and what SupportAccess writes for the box's watcher. */
class SupportKeyTest {
    // ssh-keygen -t ed25519; its fingerprint as ssh-keygen -l shows it
    private static final String ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGb3UAmsjusYtmyabD0nc61YTl+JkHhULGBw2vGJoBO9";

    @TempDir
    Path data;

    @Test
    void anEd25519KeyIsKeptWithItsFingerprintAndComment() {
        SupportKey k = SupportKey.parse("  " + ED25519 + " tech@reseller.example\n");
        assertThat(k.type()).isEqualTo("ssh-ed25519");
        assertThat(k.comment()).isEqualTo("tech@reseller.example");
        assertThat(k.fingerprint()).isEqualTo("SHA256:SKf2uWaQukcm9VJhW0ji1W/zS1bhNDkTrZoMLfbofws");
        assertThat(k.line()).isEqualTo(ED25519 + " tech@reseller.example");
    }

    @Test
    void whatIsNotAUsablePublicKeyIsRefusedWithAReason() {
        assertRefused("", "Paste the support person's public key");
        assertRefused("-----BEGIN OPENSSH PRIVATE KEY-----", "That is a private key");
        assertRefused("command=\"sh\" " + ED25519, "must start with ssh-ed25519");
        assertRefused(ED25519 + "\nssh-ed25519 AAAA", "Paste one key only");
        assertRefused("ssh-ed25519", "incomplete");
        assertRefused("ssh-ed25519 !!!!", "not valid base64");
        assertRefused("ssh-rsa" + ED25519.substring("ssh-ed25519".length()), "holds another type");
        assertRefused(ED25519.substring(0, ED25519.length() - 8), "");
    }

    @Test
    void supportAccessIsOffUntilTurnedOnAndNeedsAKey() throws Exception {
        SupportAccess a = new SupportAccess(data);
        assertThat(a.enabled()).isFalse();
        assertThatThrownBy(a::enable).isInstanceOf(InvalidRequestException.class).hasMessageContaining("key first");
        a.setKey(SupportKey.parse(ED25519));
        assertThat(Files.readString(data.resolve("support/state"))).isEqualTo("off\n");
        a.enable();
        assertThat(a.enabled()).isTrue();
        assertThat(Files.readString(data.resolve("support/authorized_key"))).isEqualTo(ED25519 + "\n");
        a.removeKey();
        assertThat(a.enabled()).isFalse();
        assertThat(a.key()).isEmpty();
        try (var files = Files.list(data.resolve("support"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("state");
        }
    }

    private static void assertRefused(String pasted, String words) {
        assertThatThrownBy(() -> SupportKey.parse(pasted)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining(words);
    }
}
