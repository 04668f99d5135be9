package io.mcpserver.server.testing;

import java.util.Random;
import java.util.function.Consumer;

/**
 * Runs a property over many generated cases, reproducibly: case {@code i} draws from {@code new Random(seed + i)}, and
 * a failure names the seed and the case, so {@code -Dproperties.seed=S -Dproperties.tries=1} with the offset seed
 * replays it. The seed is fixed by default (a green build stays green); {@code -Dproperties.seed=random} explores,
 * {@code -Dproperties.tries=N} runs longer. Plain JUnit: no property-testing framework (docs/resilience.md says why).
 */
public final class Properties {

    private static final long DEFAULT_SEED = 20_261_201L;

    private Properties() {
    }

    /** Checks {@code property} on {@code tries} cases (times {@code properties.scale} when set). */
    public static void forAll(int tries, Consumer<Random> property) {
        String seedProperty = System.getProperty("properties.seed", String.valueOf(DEFAULT_SEED));
        long seed = seedProperty.equals("random") ? new Random().nextLong() : Long.parseLong(seedProperty);
        int n = Integer.getInteger("properties.tries", tries);
        for (int i = 0; i < n; i++) {
            long caseSeed = seed + i;
            try {
                property.accept(new Random(caseSeed));
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("property failed for case " + i + " (replay: -Dproperties.seed=" + caseSeed
                        + " -Dproperties.tries=1): " + e.getMessage(), e);
            }
        }
    }

    /** A string of {@code length} characters drawn from {@code alphabet}. */
    public static String string(Random random, String alphabet, int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    /** Any text: ASCII, punctuation that URIs reserve, Latin-1, BMP letters and astral code points (surrogate pairs). */
    public static String anyText(Random random, int maxCodePoints) {
        int n = random.nextInt(maxCodePoints + 1);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int cp = switch (random.nextInt(5)) {
                case 0 -> 'a' + random.nextInt(26);
                case 1 -> ":/?#[]@!$&'()*+,;=%.-_~ ".charAt(random.nextInt(24));
                case 2 -> 0xA0 + random.nextInt(0x60);
                case 3 -> 0x4E00 + random.nextInt(0x100);
                default -> 0x1F600 + random.nextInt(0x50);
            };
            s.appendCodePoint(cp);
        }
        return s.toString();
    }
}
