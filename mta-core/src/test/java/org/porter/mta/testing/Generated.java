package org.porter.mta.testing;

import java.util.List;
import java.util.Random;

/**
 * Property tests over generated input (issue 14's fuzzing of the parsers and protocol readers),
 * without a framework: a property is run for many inputs, each drawn from its own seeded
 * {@link Random}, so a failure names the seed and the try that reproduce it
 * ({@code -Dporter.seed=S}). A short run in the suite; {@code -Dporter.soak=true} (./run-tests
 * -Dporter.soak=true) runs 100 times as many.
 */
public final class Generated {
    private Generated() {
    }

    /** A property of one generated input. */
    @FunctionalInterface
    public interface Property {
        void check(Random random) throws Exception;
    }

    /** Runs {@code property} {@code shortRun} times (100 times as many with porter.soak). */
    public static void forAll(int shortRun, Property property) throws Exception {
        int tries = Boolean.getBoolean("porter.soak") ? shortRun * 100 : shortRun;
        long seed = Long.getLong("porter.seed", System.nanoTime());
        for (int i = 0; i < tries; i++) {
            try {
                property.check(new Random(seed + i));
            } catch (AssertionError | Exception e) {
                AssertionError failed = new AssertionError("failed at try " + (i + 1) + " of " + tries + " (seed "
                        + (seed + i) + ": rerun with -Dporter.seed=" + (seed + i) + "): " + e.getMessage(), e);
                throw failed;
            }
        }
    }

    /** One of {@code choices}. */
    @SafeVarargs
    public static <T> T oneOf(Random r, T... choices) {
        return choices[r.nextInt(choices.length)];
    }

    public static <T> T oneOf(Random r, List<T> choices) {
        return choices.get(r.nextInt(choices.size()));
    }

    /** Up to {@code max} characters, each one of {@code alphabet}. */
    public static String string(Random r, String alphabet, int max) {
        int n = r.nextInt(max + 1);
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    /** Up to {@code max} code points of any kind: ASCII, controls, Latin-1, BMP, supplementary, lone surrogates. */
    public static String unicode(Random r, int max) {
        int n = r.nextInt(max + 1);
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(6)) {
                case 0 -> b.append((char) r.nextInt(0x20));
                case 1, 2 -> b.append((char) (0x20 + r.nextInt(0x5f)));
                case 3 -> b.append((char) (0x80 + r.nextInt(0x180)));
                case 4 -> b.append((char) r.nextInt(0x10000));
                default -> b.appendCodePoint(0x10000 + r.nextInt(0x100000));
            }
        }
        return b.toString();
    }

    /** Up to {@code max} octets of any value. */
    public static byte[] bytes(Random r, int max) {
        byte[] b = new byte[r.nextInt(max + 1)];
        r.nextBytes(b);
        return b;
    }
}
