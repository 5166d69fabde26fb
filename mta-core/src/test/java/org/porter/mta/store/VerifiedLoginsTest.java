package org.porter.mta.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class VerifiedLoginsTest {
    private static final String HASH = "pbkdf2-sha256$210000$c2FsdA$aGFzaA";

    @Test
    void remembersOnlyTheExactTripleAndForgetsAfterItsTime() {
        AtomicLong now = new AtomicLong(1_000);
        VerifiedLogins v = new VerifiedLogins(now::get, 500);
        assertThat(v.matches("a@x", HASH, "pw".toCharArray())).isFalse();
        v.remember("a@x", HASH, "pw".toCharArray());
        assertThat(v.matches("a@x", HASH, "pw".toCharArray())).isTrue();
        assertThat(v.matches("a@x", HASH, "pW".toCharArray())).isFalse();
        assertThat(v.matches("a@x", HASH, "pw ".toCharArray())).isFalse();
        assertThat(v.matches("a@x", HASH, "".toCharArray())).isFalse();
        assertThat(v.matches("b@x", HASH, "pw".toCharArray())).isFalse();
        assertThat(v.matches("a@x", HASH + "x", "pw".toCharArray())).as("another stored hash").isFalse();
        // the separators keep "a@x" + "\0" + hash apart from shifted splits
        assertThat(v.matches("a@x\0" + HASH, "", "pw".toCharArray())).isFalse();
        now.addAndGet(499);
        assertThat(v.matches("a@x", HASH, "pw".toCharArray())).isTrue();
        now.addAndGet(1);
        assertThat(v.matches("a@x", HASH, "pw".toCharArray())).as("expired").isFalse();
        assertThat(v.hits()).isEqualTo(2);
    }

    @Test
    void keepsAtMostItsBoundLeastRecentlyUsedOut() {
        VerifiedLogins v = new VerifiedLogins(System::nanoTime, VerifiedLogins.TTL_NANOS);
        v.remember("first@x", HASH, "pw".toCharArray());
        for (int i = 0; i < VerifiedLogins.MAX_ENTRIES; i++) {
            v.remember("u" + i + "@x", HASH, "pw".toCharArray());
        }
        assertThat(v.matches("first@x", HASH, "pw".toCharArray())).isFalse();
        assertThat(v.matches("u" + (VerifiedLogins.MAX_ENTRIES - 1) + "@x", HASH, "pw".toCharArray())).isTrue();
    }

    @Test
    void anotherProcessKeyGivesOtherKeys() {
        VerifiedLogins one = new VerifiedLogins();
        VerifiedLogins two = new VerifiedLogins();
        one.remember("a@x", HASH, "pw".toCharArray());
        assertThat(two.matches("a@x", HASH, "pw".toCharArray())).isFalse();
    }
}
