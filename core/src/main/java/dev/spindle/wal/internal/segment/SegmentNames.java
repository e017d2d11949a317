package dev.spindle.wal.internal.segment;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * File names inside a collection directory:
 * <ul>
 *   <li>active: {@code {first_sequence:020d}.open}</li>
 *   <li>sealed: {@code {first_sequence:020d}-{last_sequence:020d}.avro}</li>
 *   <li>checkpoint: {@code checkpoint}</li>
 * </ul>
 * Anything else is not Spindle's and is left alone.
 */
public final class SegmentNames
{
    public static final String OPEN_SUFFIX = ".open";
    public static final String SEALED_SUFFIX = ".avro";

    private static final Pattern OPEN = Pattern.compile("(\\d{20})\\.open");
    private static final Pattern SEALED = Pattern.compile("(\\d{20})-(\\d{20})\\.avro");

    private SegmentNames()
    {
    }

    public static String open(final long firstSequence)
    {
        return String.format("%020d%s", firstSequence, OPEN_SUFFIX);
    }

    public static String sealed(final long firstSequence, final long lastSequence)
    {
        return String.format("%020d-%020d%s", firstSequence, lastSequence, SEALED_SUFFIX);
    }

    /**
     * @return the first sequence of an active segment's name, or -1 when the name is not one.
     */
    public static long parseOpen(final String name)
    {
        final Matcher m = OPEN.matcher(name);
        return m.matches() ? parse(m.group(1)) : -1;
    }

    /**
     * @return {first, last} of a sealed segment's name, or null when the name is not one (or first > last).
     */
    public static long[] parseSealed(final String name)
    {
        final Matcher m = SEALED.matcher(name);
        if (!m.matches())
        {
            return null;
        }
        final long first = parse(m.group(1));
        final long last = parse(m.group(2));
        return first > 0 && last >= first ? new long[]{first, last} : null;
    }

    private static long parse(final String digits)
    {
        try
        {
            final long value = Long.parseLong(digits);
            return value > 0 ? value : -1;
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }
}
