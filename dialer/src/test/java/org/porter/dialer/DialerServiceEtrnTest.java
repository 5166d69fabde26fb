package org.porter.dialer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.Mta;
import org.porter.mta.api.Settings;
import org.porter.mta.api.EtrnResult;
import org.porter.mta.testing.FakeSmtpPeer;
import org.porter.mta.testing.TestTime;

/**
 * {@code porter etrn} through the dialer of a LAN office (the link is always up, so ETRN goes out at
 * once): the argument is checked before anything is sent, and the {@code etrn.*} settings reach the
 * client. Against a scripted ISP; the real ISPs (Postfix) are in mta-core's EtrnClientTest and in
 * DialCycleEndToEndTest.
 */
class DialerServiceEtrnTest {
    @TempDir
    Path dir;

    DialerService start(Mta mta, FakeSmtpPeer isp) {
        Settings s = mta.settings();
        s.set("link.type", "lan");
        s.set("dial.schedule", "off"); // only the test's own requests talk to the ISP
        s.set("dial.on-demand", "false");
        s.set("etrn.server", "127.0.0.1:" + isp.port());
        s.set("etrn.domains", "office.example");
        return DialerService.start(dir.resolve("data"), mta.etrn(), s, mta::queue, mta.smtpActivity(), mta.callLog(),
                Clock.systemDefaultZone());
    }

    static EtrnResult answer(DialerService dialer, String domain) throws Exception {
        return dialer.etrn(Optional.ofNullable(domain)).get(TestTime.seconds(60), TimeUnit.SECONDS);
    }

    /** {@code porter etrn $'office.example\r\nQUIT'} used to reach the ISP as two commands. */
    @Test
    void aDomainWithALineBreakIsRefusedBeforeAnythingIsSent() throws Exception {
        try (Mta mta = Mta.open(dir.resolve("data"), "mail.office.example", DialerService.settings());
                FakeSmtpPeer isp = new FakeSmtpPeer().extensions("ETRN").on("ETRN", "250 Queuing started").start();
                DialerService dialer = start(mta, isp)) {
            for (String bad : new String[] {"office.example\r\nQUIT", "office.example\nETRN other.example"}) {
                assertThatThrownBy(() -> dialer.etrn(Optional.of(bad))).isInstanceOf(InvalidRequestException.class)
                        .hasMessageStartingWith("not a domain to ask for with ETRN (office.example, @office.example or #queue): office.example?");
            }
            assertThat(isp.sessions()).isEmpty();

            EtrnResult r = answer(dialer, "@office.example");
            assertThat(r.allAccepted()).as(r.messages().toString()).isTrue();
            assertThat(isp.session(0).commands).containsExactly("EHLO mail.office.example", "ETRN @office.example", "QUIT");
        }
    }

    @Test
    void etrnTlsAndLoginSettingsReachTheClient() throws Exception {
        try (Mta mta = Mta.open(dir.resolve("data"), "mail.office.example", DialerService.settings());
                FakeSmtpPeer isp = new FakeSmtpPeer().extensions("AUTH PLAIN LOGIN", "ETRN").on("ETRN", "250 Queuing started")
                        .start();
                DialerService dialer = start(mta, isp)) {
            mta.settings().set("etrn.tls", "required");
            assertThat(answer(dialer, null).messages()).containsExactly("your ISP's server 127.0.0.1:" + isp.port()
                    + " does not offer STARTTLS, and etrn.tls is required");

            mta.settings().set("etrn.tls", "opportunistic");
            mta.settings().set("etrn.auth-user", "office");
            mta.settings().set("etrn.auth-password", "secret");
            assertThat(answer(dialer, null).messages()).singleElement().asString()
                    .startsWith("Porter sends the ETRN login (etrn.auth-user) only over TLS");
            assertThat(isp.sessions()).allSatisfy(s -> assertThat(s.verbs()).doesNotContain("AUTH", "ETRN"));
        }
    }
}
