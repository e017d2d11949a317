package dev.spindle.fs.s3;

/**
 * Every key of {@code [storage.wal_config.s3]} (and of its per-bucket tables), with its default and meaning,
 * so that the configuration reference and the validation messages come from one place. Credentials are
 * deliberately not among them: the client finds them through the AWS SDK's default chain.
 */
public enum S3Setting
{
    ENDPOINT("endpoint", "AWS, from the region",
        "http(s) URL of an S3-compatible server or a private endpoint (S3Mock, MinIO, a VPC endpoint)"),
    REGION("region", "the SDK's region chain, else us-east-1 with cross-region access",
        "the bucket's region, e.g. eu-west-1; signs requests and picks the AWS endpoint"),
    PATH_STYLE("path_style", "false",
        "true: address buckets as http://endpoint/bucket/key (S3Mock, MinIO); false: http://bucket.endpoint/key"),
    PART_SIZE_BYTES("part_size_bytes", "8388608",
        "part size of multipart uploads, 5 MiB to 5 GiB"),
    MULTIPART_THRESHOLD_BYTES("multipart_threshold_bytes", "16777216",
        "segments at least this big are uploaded in parts, in parallel; at least 5 MiB"),
    MAX_CONCURRENCY("max_concurrency", "16",
        "most requests the client has in flight at once (each part of an upload is one), 1 to 1024"),
    LIST_PAGE_SIZE("list_page_size", "1000",
        "keys per listing request, 1 to 1000");

    /** The configuration table these keys live in, for messages. */
    public static final String TABLE = "[storage.wal_config.s3]";

    private final String key;
    private final String defaultValue;
    private final String description;

    S3Setting(final String key, final String defaultValue, final String description)
    {
        this.key = key;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    public String key()
    {
        return key;
    }

    /** @return the default, as a value or in words where it is computed. */
    public String defaultValue()
    {
        return defaultValue;
    }

    public String description()
    {
        return description;
    }
}
