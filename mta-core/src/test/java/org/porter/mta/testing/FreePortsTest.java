package org.porter.mta.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Ports handed out once per JVM, and claimed for the other test JVMs running beside this one. */
class FreePortsTest {

    @Test
    void aPortIsHandedOutOnceAndClaimedForTheOtherTestJvms() throws Exception {
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            int port = FreePorts.next();
            assertThat(ports.add(port)).as("port %d handed out twice", port).isTrue();
            Path claim = FreePorts.CLAIMS.resolve(Integer.toString(port));
            assertThat(claim).as("the claim other JVMs see").exists();
            assertThat(Files.getLastModifiedTime(claim).toInstant()).isAfter(Instant.now().minusSeconds(60));
        }
    }

    @Test
    void aPortAnotherJvmClaimedLatelyIsNotTakenAnOldClaimIs() throws Exception {
        int fresh = 1 + (int) (System.nanoTime() % 1000);   // ports below 1024: never drawn by next()
        int old = fresh + 1000 < 1024 ? fresh + 1000 : fresh - 1;
        Path freshClaim = FreePorts.CLAIMS.resolve(Integer.toString(fresh));
        Path oldClaim = FreePorts.CLAIMS.resolve(Integer.toString(old));
        Files.createDirectories(FreePorts.CLAIMS);
        Files.deleteIfExists(freshClaim);
        Files.deleteIfExists(oldClaim);
        try {
            Files.createFile(freshClaim);                    // as another JVM claims it
            Files.createFile(oldClaim);
            Files.setLastModifiedTime(oldClaim, FileTime.from(Instant.now().minus(FreePorts.CLAIM_LIFE).minusSeconds(60)));
            assertThat(FreePorts.claim(fresh)).as("a port claimed a moment ago by another JVM").isFalse();
            assertThat(FreePorts.claim(old)).as("a claim older than the claim's life").isTrue();
            assertThat(Files.getLastModifiedTime(oldClaim).toInstant()).as("taken over: claimed anew")
                    .isAfter(Instant.now().minusSeconds(60));
            assertThat(FreePorts.claim(old)).as("now this JVM's own, fresh claim").isFalse();
        } finally {
            Files.deleteIfExists(freshClaim);
            Files.deleteIfExists(oldClaim);
        }
    }
}
