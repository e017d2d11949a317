package dev.spindle.config;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes as people write them in configuration files and on command lines: a number of bytes, or a number
 * with a binary unit ({@code "64 MiB"}, {@code 512KiB}).
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
}
