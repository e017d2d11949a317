package dev.spindle.fs;

/**
 * The key prefix of an object-store URL ({@code s3://bucket/a/b}, {@code gcs://bucket/a/b/}): every key of the
 * file system lives under it. Normalised once, the same way for every backend: no leading '/', a trailing '/'
 * unless it is empty, and no empty, "." or ".." part, so that a prefix can neither escape the bucket nor name the
 * same objects as another spelling of itself.
 */
public final class KeyPrefix
{
    private KeyPrefix()
    {
    }

    /**
     * @param urlPath the path of the URL (starting with '/', or empty).
     * @return "" for the bucket's root, else the prefix ending with '/'.
     * @throws IllegalArgumentException saying what is wrong with the prefix (the caller adds the URL).
     */
    public static String fromUrlPath(final String urlPath)
    {
        final String path = urlPath == null || !urlPath.startsWith("/") ? urlPath : urlPath.substring(1);
        return normalize(path, Integer.MAX_VALUE);
    }

    /**
     * @param path the prefix, without the leading '/' of a URL path; one trailing '/' is allowed.
     * @param maxLength the longest prefix the store allows room for, not counting the trailing '/'.
     * @return "" for the root, else the prefix ending with '/'.
     * @throws IllegalArgumentException saying what is wrong with the prefix (the caller adds the URL).
     */
    public static String normalize(final String path, final int maxLength)
    {
        String prefix = path == null ? "" : path;
        if (prefix.endsWith("/"))
        {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        if (prefix.isEmpty())
        {
            return "";
        }
        if (prefix.length() > maxLength)
        {
            throw new IllegalArgumentException("prefix is longer than " + maxLength + " characters");
        }
        try
        {
            WalFileSystem.checkKey(prefix);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("prefix \"" + prefix + "\" has an empty, '.' or '..' part or a '\\'");
        }
        return prefix + "/";
    }
}
