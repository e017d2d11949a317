package dev.spindle.wal.internal.recovery;

import dev.spindle.wal.internal.segment.SegmentNames;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names of files lenient recovery set aside: a segment's name followed by {@code .corrupt} (then
 * {@code .1}, {@code .2}, ... when that name is taken). Their bytes are kept for a person to look at, and
 * later recoveries still count the sequences their names give as held (see {@link CollectionScan#heldAside}).
 */
public final class SetAside
{
    private static final Pattern NAME = Pattern.compile("(.+)\\.corrupt(\\.[0-9]+)?");
    private static final String VOID_SUFFIX = ".void";
    private static final Pattern VOIDED = Pattern.compile("(.+)\\.void(\\.[0-9]+)?");

    private SetAside()
    {
    }

    static boolean isSetAside(final String fileName)
    {
        return NAME.matcher(fileName).matches();
    }

    /**
     * @return {first, last} of what the set-aside file held by its segment name ({@link Long#MAX_VALUE} as last
     *     for an active segment: the caller reads its entries), or null when the name before {@code .corrupt} is
     *     not a segment's.
     */
    static long[] held(final String fileName)
    {
        final Matcher m = NAME.matcher(fileName);
        if (!m.matches())
        {
            return null;
        }
        final long[] sealed = SegmentNames.parseSealed(m.group(1));
        if (sealed != null)
        {
            return sealed;
        }
        final long first = SegmentNames.parseOpen(m.group(1));
        return first > 0 ? new long[]{first, Long.MAX_VALUE} : null;
    }

    /**
     * @return a free name to set {@code file} aside under.
     */
    static Path target(final Path file)
    {
        return target(file, ".corrupt");
    }

    /**
     * @return a free name to set a void segment aside under: its name followed by {@code .void} (then {@code .1},
     *     ...). Such files hold copies a move record voided ({@link dev.spindle.wal.internal.segment.MoveRecord});
     *     no sequence counts as held by them.
     */
    static Path voidTarget(final Path file)
    {
        return target(file, VOID_SUFFIX);
    }

    public static boolean isVoided(final String fileName)
    {
        return VOIDED.matcher(fileName).matches();
    }

    private static Path target(final Path file, final String suffix)
    {
        Path aside = file.resolveSibling(file.getFileName() + suffix);
        for (int n = 1; Files.exists(aside, LinkOption.NOFOLLOW_LINKS); n++)
        {
            aside = file.resolveSibling(file.getFileName() + suffix + "." + n);
        }
        return aside;
    }
}
