package dev.spindle.fs.s3;

import dev.spindle.fs.BackendSetting;
import dev.spindle.fs.BackendSettings;
import dev.spindle.fs.SettingValues;
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
 * The settings of one S3 file system: what {@code [storage.wal_config.s3]} accepts ({@link #DECLARED}, the one list
 * of its keys), the values of one lane checked against it, and the CRT client they describe. A bad value fails with
 * the table, the key and what is accepted: a typo in a configuration file must never fall back to a default.
 * Credentials are deliberately not settings: the client finds them through the AWS SDK's default chain.
 *
 * <p>The client's own retries are kept few (Spindle's uploader backs off and retries by itself, and a
 * segment is safe in staging meanwhile), and a connection that stops moving data is dropped rather than
 * waited on for ever.
 */
final class S3Settings
{
    static final String ENDPOINT = "endpoint";
    static final String REGION = "region";
    static final String PATH_STYLE = "path_style";
    static final String PART_SIZE_BYTES = "part_size_bytes";
    static final String MULTIPART_THRESHOLD_BYTES = "multipart_threshold_bytes";
    static final String MAX_CONCURRENCY = "max_concurrency";
    static final String LIST_PAGE_SIZE = "list_page_size";

    static final long MIN_PART_SIZE = 5L * 1024 * 1024;
    static final long MAX_PART_SIZE = 5L * 1024 * 1024 * 1024;
    static final int MAX_LIST_PAGE_SIZE = 1000;

    /** Every key of {@code [storage.wal_config.s3]} and of its per-bucket tables, in documentation order. */
    static final BackendSettings DECLARED = BackendSettings.of("s3",
        "Credentials are never read from settings: the AWS SDK's default chain finds them " +
        "(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE and ~/.aws, web identity, container and instance roles)",
        BackendSetting.string(ENDPOINT, "http(s) URL of an S3-compatible server or a private endpoint (S3Mock, " +
            "MinIO, a VPC endpoint), with no path; default: AWS, from the region"),
        BackendSetting.string(REGION, "the bucket's region, e.g. eu-west-1; signs requests and picks the AWS " +
            "endpoint; default: the SDK's region chain, else us-east-1 with cross-region access"),
        BackendSetting.bool(PATH_STYLE, false, "true: address buckets as http://endpoint/bucket/key (S3Mock, " +
            "MinIO); false: http://bucket.endpoint/key"),
        BackendSetting.size(PART_SIZE_BYTES, 8L * 1024 * 1024, MIN_PART_SIZE, MAX_PART_SIZE,
            "part size of multipart uploads"),
        BackendSetting.size(MULTIPART_THRESHOLD_BYTES, 16L * 1024 * 1024, MIN_PART_SIZE, Long.MAX_VALUE,
            "segments at least this big are uploaded in parts, in parallel"),
        BackendSetting.integer(MAX_CONCURRENCY, 16, 1, 1024,
            "most requests the client has in flight at once (each part of an upload is one)"),
        BackendSetting.integer(LIST_PAGE_SIZE, MAX_LIST_PAGE_SIZE, 1, MAX_LIST_PAGE_SIZE,
            "keys per listing request"));

    /** Retries inside the SDK per call; the uploader's backoff does the rest. */
    static final int SDK_RETRIES = 2;
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** A connection moving less than 1 byte/s for this long is dropped (a hung server, a black-holed route). */
    static final Duration STALL_TIMEOUT = Duration.ofSeconds(30);

    private static final Pattern REGION_NAME = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

    final URI endpoint;
    final Region region;
    final boolean pathStyle;
    final long partSize;
    final long multipartThreshold;
    final int maxConcurrency;
    final int listPageSize;

    private S3Settings(final SettingValues values)
    {
        endpoint = endpoint(values);
        region = region(values);
        pathStyle = values.bool(PATH_STYLE);
        partSize = values.number(PART_SIZE_BYTES);
        multipartThreshold = values.number(MULTIPART_THRESHOLD_BYTES);
        maxConcurrency = values.intValue(MAX_CONCURRENCY);
        listPageSize = values.intValue(LIST_PAGE_SIZE);
    }

    /**
     * @throws dev.spindle.fs.SettingException naming {@code [storage.wal_config.s3] <key>} for an unknown key or a
     *     bad value.
     */
    static S3Settings parse(final Map<String, String> settings)
    {
        return new S3Settings(DECLARED.parse(settings));
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

    private static URI endpoint(final SettingValues values)
    {
        final String value = values.string(ENDPOINT);
        if (value == null)
        {
            return null;
        }
        try
        {
            final URI uri = new URI(value);
            final String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            final String path = uri.getRawPath();
            if (("http".equals(scheme) || "https".equals(scheme)) && uri.getHost() != null &&
                uri.getRawQuery() == null && uri.getRawFragment() == null && uri.getRawUserInfo() == null &&
                (path == null || path.isEmpty() || "/".equals(path)))
            {
                return uri;
            }
        }
        catch (final URISyntaxException ex)
        {
            // reported below
        }
        throw values.invalid(ENDPOINT,
            "an http:// or https:// URL with a host and no path, e.g. http://127.0.0.1:9090");
    }

    private static Region region(final SettingValues values)
    {
        final String value = values.string(REGION);
        if (value == null)
        {
            return null;
        }
        if (!REGION_NAME.matcher(value).matches())
        {
            throw values.invalid(REGION, "an AWS region name such as us-east-1 (lower case, digits, '-')");
        }
        return Region.of(value);
    }
}
