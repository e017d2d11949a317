package dev.spindle.fs.gcs;

import dev.spindle.fs.KeyPrefix;
import dev.spindle.fs.WalFileSystem;

import java.net.URI;
import java.util.Locale;

/**
 * Where a GCS lane lives: {@code gcs://bucket/optional/prefix} or {@code gs://bucket/optional/prefix}. Keys are
 * stored as objects named {@code prefix/key} (or {@code key} when there is no prefix). The bucket is checked
 * against GCS's naming rules here so that a typo fails when the config is read, not at the first upload.
 */
record GcsLocation(String bucket, String prefix)
{
    static GcsLocation parse(final URI url)
    {
        final String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("gcs") && !scheme.equals("gs"))
        {
            throw invalid(url, "the scheme must be gcs:// or gs://");
        }
        if (url.getRawQuery() != null || url.getRawFragment() != null)
        {
            throw invalid(url, "a GCS URL has no query or fragment");
        }
        final String bucket = url.getRawAuthority();
        if (bucket == null || bucket.isEmpty())
        {
            throw invalid(url, "no bucket; write gcs://bucket/optional/prefix");
        }
        if (!validBucket(bucket))
        {
            throw invalid(url, "\"" + bucket + "\" is not a valid bucket name (3-63 lower-case letters, digits, " +
                "'-', '_' and '.', starting and ending with a letter or digit)");
        }
        try
        {
            return new GcsLocation(bucket, KeyPrefix.fromUrlPath(url.getPath()));
        }
        catch (final IllegalArgumentException ex)
        {
            throw invalid(url, ex.getMessage());
        }
    }

    /** @return the object name of {@code key}. */
    String objectName(final String key)
    {
        return prefix + WalFileSystem.checkKey(key);
    }

    @Override
    public String toString()
    {
        return "gs://" + bucket + "/" + prefix;
    }

    private static boolean validBucket(final String bucket)
    {
        if (!bucket.matches("[a-z0-9][a-z0-9._-]*[a-z0-9]") || bucket.startsWith("goog") || bucket.contains(".."))
        {
            return false;
        }
        if (!bucket.contains("."))
        {
            return bucket.length() >= 3 && bucket.length() <= 63;
        }
        if (bucket.length() > 222)
        {
            return false;
        }
        for (final String part : bucket.split("\\."))
        {
            if (part.isEmpty() || part.length() > 63)
            {
                return false;
            }
        }
        return true;
    }

    private static IllegalArgumentException invalid(final URI url, final String why)
    {
        return new IllegalArgumentException(url + ": " + why);
    }
}
