package org.porter.mta;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

import org.porter.mta.api.Mta;

/**
 * A real Porter mail core on a temporary data folder with the office fixture: domain
 * office.example, users alice, bob, carol (password "secret-pw"), alias team → all three.
 */
public final class TestMta implements AutoCloseable {
    public static final String PASSWORD = "secret-pw";
    public final Mta mta;
    public final InetSocketAddress smtp;
    public final InetSocketAddress submission;
    public final InetSocketAddress smtps;

    public TestMta(Path dir) throws Exception {
        this(dir, true);
    }

    /** @param fixture false to reopen a data folder that already holds the fixture */
    public TestMta(Path dir, boolean fixture) throws Exception {
        mta = Mta.open(dir, "mail.office.example", List.of());
        var d = mta.directory();
        if (fixture) {
            d.addDomain("office.example");
            for (String u : List.of("alice", "bob", "carol")) {
                d.addUser(u + "@office.example", PASSWORD.toCharArray());
            }
            d.addAlias("team@office.example", List.of("alice@office.example", "bob@office.example", "carol@office.example"));
        }
        smtp = mta.startSmtp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        submission = mta.startSubmission(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        smtps = mta.startSmtps(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    public int port() {
        return smtp.getPort();
    }

    public MtaCore core() {
        return (MtaCore) mta;
    }

    @Override
    public void close() {
        mta.close();
    }
}
