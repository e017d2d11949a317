package dev.spindle.fs;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes as people write them in configuration files, backend settings and on command lines: a number of
 * bytes, or a number with a binary unit ({@code "64 MiB"}, {@code 512KiB}). One grammar for the WAL's own
 * keys and every backend's, so that {@code "8 MiB"} means the same wherever it is written.
 */
public final class Sizes
{
    /** What {@link #parse(String)} accepts, for messages. */
    public static final String ACCEPTED = "bytes (an integer) or a string such as \"64 MiB\" (units B, KiB, MiB, GiB, TiB)";

    private static final Pattern SIZE = Pattern.compile("\\s*(\\d+)\\s*(B|KiB|MiB|GiB|TiB)?\\s*");
    private static final List<String> UNITS = List.of("B", "KiB", "MiB", "GiB", "TiB");

    private Sizes()
    {
    }

    /**
     * @return the positive number of bytes {@code text} says.
     * @throws IllegalArgumentException when it is not a positive size.
     */
    public static long parse(final String text)
    {
        final Matcher m = SIZE.matcher(text);
        if (m.matches())
        {
            final int shift = UNITS.indexOf(m.group(2) == null ? "B" : m.group(2)) * 10;
            try
            {
                final long n = Long.parseLong(m.group(1));
                if (n > 0 && n <= (Long.MAX_VALUE >> shift))
                {
                    return n << shift;
                }
            }
            catch (final NumberFormatException ignore)
            {
                // too large: reported below
            }
        }
        throw new IllegalArgumentException("\"" + text + "\" is not a positive size; give " + ACCEPTED);
    }

    /**
     * @return {@code bytes} in the largest binary unit that divides it, e.g. {@code "64 MiB"}, for documentation
     *     and messages; {@code "0 B"} for zero.
     */
    public static String format(final long bytes)
    {
        int unit = 0;
        long n = bytes;
        while (n != 0 && unit < UNITS.size() - 1 && n % 1024 == 0)
        {
            n /= 1024;
            unit++;
        }
        return n + " " + UNITS.get(unit);
    }
}
