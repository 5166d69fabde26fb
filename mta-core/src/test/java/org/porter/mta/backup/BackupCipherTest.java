package org.porter.mta.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.api.InvalidRequestException;

/**
 * The encrypted backup's format ({@link BackupCipher}): what it writes comes back byte for byte with
 * the passphrase; a wrong passphrase is told as such; every kind of damage (a changed octet in any
 * part, a file cut short at or between parts, parts swapped, octets added) is refused as damage and
 * leaves no output behind. Fed archives of 0 octets, exactly one part, and parts and a bit.
 */
class BackupCipherTest {
    private static final char[] PASS = "correct horse battery".toCharArray();
    private static final int PART = BackupCipher.SEGMENT + 16;

    @TempDir
    Path dir;

    private Path plain(int size) throws Exception {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return Files.write(dir.resolve("plain-" + size), b);
    }

    private Path encrypted(Path plain) throws Exception {
        Path enc = dir.resolve(plain.getFileName() + ".enc");
        try (OutputStream out = Files.newOutputStream(enc)) {
            BackupCipher.encrypt(plain, out, PASS, BackupCipher.MIN_ITERATIONS);
        }
        return enc;
    }

    @Test
    void roundTripsArchivesOfEverySizeThatMattersAndIsRecognised() throws Exception {
        for (int size : new int[] {0, 1, BackupCipher.SEGMENT, 2 * BackupCipher.SEGMENT + 12345}) {
            Path p = plain(size);
            Path enc = encrypted(p);
            assertThat(BackupCipher.isEncrypted(enc)).isTrue();
            assertThat(BackupCipher.isEncrypted(p)).as("a plain archive").isFalse();
            Path back = dir.resolve("back-" + size);
            BackupCipher.decrypt(enc, back, PASS.clone());
            assertThat(Files.mismatch(p, back)).as("size " + size).isEqualTo(-1);
            if (size >= 64) { // a shorter needle may turn up in random ciphertext by chance
                byte[] e = Files.readAllBytes(enc);
                assertThat(indexOf(e, Arrays.copyOf(Files.readAllBytes(p), 64))).as("no plaintext").isLessThan(0);
            }
        }
    }

    @Test
    void aWrongPassphraseIsSaidAsSuchAndWritesNothing() throws Exception {
        Path enc = encrypted(plain(1000));
        Path out = dir.resolve("out");
        assertThatThrownBy(() -> BackupCipher.decrypt(enc, out, "not the passphrase".toCharArray()))
                .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("wrong passphrase for the backup");
        assertThat(out).doesNotExist();
    }

    @Test
    void everyKindOfDamageIsRefusedAndLeavesNothingBehind() throws Exception {
        Path enc = encrypted(plain(2 * BackupCipher.SEGMENT + 12345));
        byte[] good = Files.readAllBytes(enc);
        int h = BackupCipher.HEADER;
        int lastPart = h + 2 * PART;
        assertThat(good.length).isEqualTo(lastPart + 12345 + 16);
        damaged("an octet of part 1 changed", flip(good, h + 10));
        damaged("an octet of part 2 changed", flip(good, h + PART + 5));
        damaged("a tag of the last part changed", flip(good, good.length - 1));
        damaged("cut short at a part's end", Arrays.copyOf(good, lastPart));
        damaged("cut short inside a part", Arrays.copyOf(good, lastPart - 100));
        damaged("cut short to less than a tag", Arrays.copyOf(good, lastPart + 3));
        damaged("an octet added", Arrays.copyOf(good, good.length + 1));
        byte[] swapped = good.clone();
        System.arraycopy(good, h, swapped, h + PART, PART);
        System.arraycopy(good, h + PART, swapped, h, PART);
        damaged("parts 1 and 2 swapped", swapped);
        byte[] iterations = good.clone();
        iterations[BackupCipher.MAGIC.length] = 0x7f; // asks for two billion iterations
        damaged("a header asking for endless key stretching", iterations);
        damaged("cut inside the header", Arrays.copyOf(good, 20));
    }

    private void damaged(String what, byte[] file) throws Exception {
        Path bad = Files.write(dir.resolve("bad"), file);
        Path out = dir.resolve("out");
        assertThatThrownBy(() -> BackupCipher.decrypt(bad, out, PASS.clone())).as(what)
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("is damaged");
        assertThat(out).as(what).doesNotExist();
    }

    private static byte[] flip(byte[] b, int at) {
        byte[] c = b.clone();
        c[at] ^= 0x01;
        return c;
    }

    /** Where {@code needle} first occurs in {@code hay}, or -1 (one char per octet: ISO-8859-1 maps them 1:1). */
    private static int indexOf(byte[] hay, byte[] needle) {
        return new String(hay, java.nio.charset.StandardCharsets.ISO_8859_1)
                .indexOf(new String(needle, java.nio.charset.StandardCharsets.ISO_8859_1));
    }
}
