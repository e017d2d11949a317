package dev.spindle.fs.s3;

import dev.spindle.fs.KeyPrefix;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * The root of an S3 file system: {@code s3://bucket/optional/prefix} names a bucket and a key prefix under
 * which every key of the file system lives ({@code optional/prefix/<key>}). Both are checked up front, so a
 * malformed URL fails at configuration time with the URL in the message, not at the first upload.
 */
final class S3Location
{
    /** S3's rules for new general purpose buckets: 3-63 of lower case, digits, '.', '-'; alphanumeric ends. */
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern IP_ADDRESS = Pattern.compile("\\d+\\.\\d+\\.\\d+\\.\\d+");

    final String bucket;
    /** "" for the bucket's root, else ends with '/'. */
    final String prefix;

    private S3Location(final String bucket, final String prefix)
    {
        this.bucket = bucket;
        this.prefix = prefix;
    }

    /**
     * @throws IllegalArgumentException naming the URL when it is not {@code s3://bucket[/prefix]}, the bucket
     * name is not valid, or the prefix has an empty, "." or ".." part.
     */
    static S3Location parse(final URI url)
    {
        if (url.getScheme() == null || !"s3".equalsIgnoreCase(url.getScheme()) || url.isOpaque())
        {
            throw invalid(url, "expected s3://bucket or s3://bucket/prefix");
        }
        if (url.getRawUserInfo() != null || url.getPort() != -1 || url.getRawQuery() != null ||
            url.getRawFragment() != null)
        {
            throw invalid(url, "expected s3://bucket or s3://bucket/prefix, without user, port, query or fragment " +
                "(point at another server with the endpoint setting)");
        }
        final String bucket = url.getRawAuthority();
        if (bucket == null || !BUCKET.matcher(bucket).matches() || bucket.contains("..") ||
            bucket.contains(".-") || bucket.contains("-.") || IP_ADDRESS.matcher(bucket).matches())
        {
            throw invalid(url, "bucket name \"" + (bucket == null ? "" : bucket) + "\" is not valid " +
                "(3-63 lower-case letters, digits, '.' and '-', starting and ending with a letter or digit)");
        }
        try
        {
            return new S3Location(bucket, KeyPrefix.fromUrlPath(url.getPath()));
        }
        catch (final IllegalArgumentException ex)
        {
            throw invalid(url, ex.getMessage());
        }
    }

    private static IllegalArgumentException invalid(final URI url, final String why)
    {
        return new IllegalArgumentException("invalid S3 URL " + url + ": " + why);
    }

    /** @return the object key of a file system key (already checked). */
    String objectKey(final String key)
    {
        return prefix + key;
    }

    /** @return {@code s3://bucket/objectKey}, for messages. */
    String describe(final String objectKey)
    {
        return "s3://" + bucket + "/" + objectKey;
    }

    @Override
    public String toString()
    {
        return "s3://" + bucket + "/" + prefix;
    }
}
