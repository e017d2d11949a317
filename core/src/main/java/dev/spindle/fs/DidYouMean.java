package dev.spindle.fs;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * The "did you mean" of an unknown key: the known key closest to it by edit distance, when close enough to be a
 * typo rather than another word.
 */
public final class DidYouMean
{
    /** Farther than this, a suggestion is more confusing than none. */
    private static final int MAX_DISTANCE = 3;

    private DidYouMean()
    {
    }

    /**
     * @return the known key closest to {@code unknown} (ignoring case), at most three edits away; else a known key
     *     that {@code unknown} is the first words of ({@code chunk_size} for {@code chunk_size_bytes}).
     */
    public static Optional<String> closest(final String unknown, final Collection<String> known)
    {
        final String wanted = unknown.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = MAX_DISTANCE + 1;
        for (final String candidate : known)
        {
            final int d = distance(wanted, candidate);
            if (d < bestDistance)
            {
                best = candidate;
                bestDistance = d;
            }
        }
        if (best == null)
        {
            best = known.stream().filter(k -> k.startsWith(wanted + "_")).findFirst().orElse(null);
        }
        return Optional.ofNullable(best);
    }

    /** @return {@code " (did you mean x?)"}, or "" when nothing is close. */
    public static String hint(final String unknown, final Collection<String> known)
    {
        return closest(unknown, known).map(k -> " (did you mean " + k + "?)").orElse("");
    }

    /** @return the Levenshtein distance of two strings. */
    static int distance(final String a, final String b)
    {
        final int[] previous = new int[b.length() + 1];
        final int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++)
        {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++)
            {
                final int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            System.arraycopy(current, 0, previous, 0, current.length);
        }
        return previous[b.length()];
    }
}
