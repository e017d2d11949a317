package dev.spindle.fs.s3;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3CrtAsyncClientBuilder;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The validated settings of one S3 file system, and the CRT client they describe. Every value is checked
 * before a client is built, and a bad one fails with the table, the key and what is accepted: a typo in a
 * configuration file must never fall back to a default.
 *
 * <p>The client's own retries are kept few (Spindle's uploader backs off and retries by itself, and a
 * segment is safe in staging meanwhile), and a connection that stops moving data is dropped rather than
 * waited on for ever.
 */
final class S3Settings
{
    static final long MIN_PART_SIZE = 5L * 1024 * 1024;
    static final long MAX_PART_SIZE = 5L * 1024 * 1024 * 1024;
    static final long DEFAULT_PART_SIZE = 8L * 1024 * 1024;
    static final long DEFAULT_MULTIPART_THRESHOLD = 16L * 1024 * 1024;
    static final int DEFAULT_MAX_CONCURRENCY = 16;
    static final int MAX_MAX_CONCURRENCY = 1024;
    static final int MAX_LIST_PAGE_SIZE = 1000;
    /** Retries inside the SDK per call; the uploader's backoff does the rest. */
    static final int SDK_RETRIES = 2;
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** A connection moving less than 1 byte/s for this long is dropped (a hung server, a black-holed route). */
    static final Duration STALL_TIMEOUT = Duration.ofSeconds(30);

    private static final Pattern REGION = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
    private static final Pattern CREDENTIAL_LIKE = Pattern.compile(".*(key|secret|token|credential|password|profile).*");

    final URI endpoint;
    final Region region;
    final boolean pathStyle;
    final long partSize;
    final long multipartThreshold;
    final int maxConcurrency;
    final int listPageSize;

    private S3Settings(final Map<String, String> settings)
    {
        for (final String key : settings.keySet())
        {
            if (!S3FileSystemProvider.SETTINGS.contains(key))
            {
                throw unknown(key);
            }
        }
        endpoint = endpoint(settings.get(S3Setting.ENDPOINT.key()));
        region = region(settings.get(S3Setting.REGION.key()));
        pathStyle = bool(S3Setting.PATH_STYLE, settings.get(S3Setting.PATH_STYLE.key()), false);
        partSize = number(S3Setting.PART_SIZE_BYTES, settings.get(S3Setting.PART_SIZE_BYTES.key()),
            DEFAULT_PART_SIZE, MIN_PART_SIZE, MAX_PART_SIZE);
        multipartThreshold = number(S3Setting.MULTIPART_THRESHOLD_BYTES,
            settings.get(S3Setting.MULTIPART_THRESHOLD_BYTES.key()), DEFAULT_MULTIPART_THRESHOLD, MIN_PART_SIZE,
            Long.MAX_VALUE);
        maxConcurrency = (int)number(S3Setting.MAX_CONCURRENCY, settings.get(S3Setting.MAX_CONCURRENCY.key()),
            DEFAULT_MAX_CONCURRENCY, 1, MAX_MAX_CONCURRENCY);
        listPageSize = (int)number(S3Setting.LIST_PAGE_SIZE, settings.get(S3Setting.LIST_PAGE_SIZE.key()),
            MAX_LIST_PAGE_SIZE, 1, MAX_LIST_PAGE_SIZE);
    }

    /**
     * @throws IllegalArgumentException naming {@code [storage.wal_config.s3] <key>} for an unknown key or a bad value.
     */
    static S3Settings parse(final Map<String, String> settings)
    {
        return new S3Settings(settings);
    }

    /**
     * Build the client. Without a configured region the SDK's chain (AWS_REGION, aws.region, the profile,
     * instance metadata) decides; when it finds none, us-east-1 with cross-region access lets S3 redirect
     * each bucket's requests to wherever the bucket lives.
     */
    S3AsyncClient newClient()
    {
        final S3CrtAsyncClientBuilder builder = S3AsyncClient.crtBuilder()
            .forcePathStyle(pathStyle)
            .minimumPartSizeInBytes(partSize)
            .thresholdInBytes(multipartThreshold)
            .maxConcurrency(maxConcurrency)
            .retryConfiguration(retry -> retry.numRetries(SDK_RETRIES))
            .httpConfiguration(http -> http
                .connectionTimeout(CONNECT_TIMEOUT)
                .connectionHealthConfiguration(health -> health
                    .minimumThroughputInBps(1L)
                    .minimumThroughputTimeout(STALL_TIMEOUT)));
        if (endpoint != null)
        {
            builder.endpointOverride(endpoint);
        }
        if (region != null)
        {
            builder.region(region);
        }
        else
        {
            final Region found = regionFromChain();
            if (found != null)
            {
                builder.region(found);
            }
            else
            {
                builder.region(Region.US_EAST_1).crossRegionAccessEnabled(true);
            }
        }
        return builder.build();
    }

    private static Region regionFromChain()
    {
        try
        {
            return DefaultAwsRegionProviderChain.builder().build().getRegion();
        }
        catch (final SdkClientException none)
        {
            return null;
        }
    }

    private static IllegalArgumentException unknown(final String key)
    {
        final StringBuilder message = new StringBuilder(S3Setting.TABLE).append(' ').append(key)
            .append(": unknown setting; accepted: ").append(String.join(", ", S3FileSystemProvider.SETTINGS));
        if (CREDENTIAL_LIKE.matcher(key.toLowerCase(Locale.ROOT)).matches())
        {
            message.append(". Credentials are never read from settings: the AWS SDK's default chain finds them " +
                "(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE and ~/.aws, web identity, container and " +
                "instance roles)");
        }
        // the value is not repeated: a misplaced secret must not end up in a log
        return new IllegalArgumentException(message.toString());
    }

    private static IllegalArgumentException bad(final S3Setting setting, final String expected, final String value)
    {
        return new IllegalArgumentException(S3Setting.TABLE + " " + setting.key() + ": expected " + expected +
            ", got \"" + value + "\"");
    }

    private static URI endpoint(final String value)
    {
        if (value == null)
        {
            return null;
        }
        final String expected = "an http:// or https:// URL with a host and no path, e.g. http://127.0.0.1:9090";
        try
        {
            final URI uri = new URI(value);
            final String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            final String path = uri.getRawPath();
            if (!("http".equals(scheme) || "https".equals(scheme)) || uri.getHost() == null ||
                uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null ||
                (path != null && !path.isEmpty() && !"/".equals(path)))
            {
                throw bad(S3Setting.ENDPOINT, expected, value);
            }
            return uri;
        }
        catch (final URISyntaxException ex)
        {
            throw bad(S3Setting.ENDPOINT, expected, value);
        }
    }

    private static Region region(final String value)
    {
        if (value == null)
        {
            return null;
        }
        if (!REGION.matcher(value).matches())
        {
            throw bad(S3Setting.REGION, "an AWS region name such as us-east-1 (lower case, digits, '-')", value);
        }
        return Region.of(value);
    }

    private static boolean bool(final S3Setting setting, final String value, final boolean fallback)
    {
        if (value == null)
        {
            return fallback;
        }
        switch (value.toLowerCase(Locale.ROOT))
        {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw bad(setting, "true or false", value);
        }
    }

    private static long number(final S3Setting setting, final String value, final long fallback, final long min,
        final long max)
    {
        if (value == null)
        {
            return fallback;
        }
        final String expected = max == Long.MAX_VALUE ? "a whole number, at least " + min :
            "a whole number from " + min + " to " + max;
        try
        {
            final long parsed = Long.parseLong(value);
            if (parsed < min || parsed > max)
            {
                throw bad(setting, expected, value);
            }
            return parsed;
        }
        catch (final NumberFormatException ex)
        {
            throw bad(setting, expected, value);
        }
    }
}
