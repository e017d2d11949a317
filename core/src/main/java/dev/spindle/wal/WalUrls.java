package dev.spindle.wal;

import dev.spindle.wal.internal.remote.LaneUrls;

import java.nio.file.Path;
import java.util.List;

/**
 * What a configuration reader may ask about {@code wal_urls} entries before anything is opened: whether an entry
 * is well formed, and where local lanes would live. The public face of the rules the WAL itself applies at open,
 * so a file is refused for the same reasons and in the same words.
 */
public final class WalUrls
{
    private WalUrls()
    {
    }

    /**
     * Check one entry without needing any backend on the classpath: a path, or a URL of a scheme Spindle knows,
     * with a sane shape.
     *
     * @return the scheme ("file" for plain paths).
     * @throws WalException naming {@code wal_urls[index]} and what is wrong.
     */
    public static String checkSyntax(final int index, final String url)
    {
        return LaneUrls.checkSyntax(index, url);
    }

    /**
     * @param urls local entries only (paths and {@code file://} URLs).
     * @return one absolute, normalized directory per entry.
     * @throws WalException when an entry is invalid, or two lanes share or nest a directory.
     */
    public static List<Path> resolve(final List<String> urls)
    {
        return LaneUrls.resolve(urls);
    }
}
