package dev.spindle.wal.internal.segment;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
        return digits(new StringBuilder(25), firstSequence).append(OPEN_SUFFIX).toString();
    }

    public static String sealed(final long firstSequence, final long lastSequence)
    {
        final StringBuilder name = digits(new StringBuilder(46), firstSequence).append('-');
        return digits(name, lastSequence).append(SEALED_SUFFIX).toString();
    }

    /**
     * @return the sealed segment in {@code dir} that starts at {@code firstSequence} (what its active segment was
     *     renamed to), or null when there is none.
     */
    public static Path sealedStartingAt(final Path dir, final long firstSequence) throws IOException
    {
        final String glob = digits(new StringBuilder(27), firstSequence).append("-*").append(SEALED_SUFFIX).toString();
        try (DirectoryStream<Path> found = Files.newDirectoryStream(dir, glob))
        {
            for (final Path file : found)
            {
                if (parseSealed(file.getFileName().toString()) != null)
                {
                    return file;
                }
            }
        }
        return null;
    }

    /** Sequences zero-padded to 20 digits (what {@code %020d} gives, without a {@code Formatter} per roll). */
    private static StringBuilder digits(final StringBuilder name, final long sequence)
    {
        if (sequence < 0)
        {
            throw new IllegalArgumentException("a sequence is never negative: " + sequence);
        }
        final int at = name.length();
        name.append(sequence);
        while (name.length() - at < 20)
        {
            name.insert(at, '0');
        }
        return name;
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
