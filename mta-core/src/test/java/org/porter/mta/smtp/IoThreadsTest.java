package org.porter.mta.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * How many threads serve an SMTP listener's connections: three per core, at least 6 (on the 2-core appliance
 * 6, not 16: see SmtpServer.ioThreads). That many threads serve many more sessions, each commit holding up only
 * its own thread's: FloodTest holds a thousand connections while the office's client is served.
 */
class IoThreadsTest {
    @Test
    void threePerCoreAtLeastSix() {
        assertThat(SmtpServer.ioThreads(1)).isEqualTo(6);
        assertThat(SmtpServer.ioThreads(2)).isEqualTo(6);
        assertThat(SmtpServer.ioThreads(3)).isEqualTo(9);
        assertThat(SmtpServer.ioThreads(8)).isEqualTo(24);
    }
}
