package dev.spindle.wal;

import dev.spindle.fs.Sizes;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every key of {@code [storage.wal_config]}: name, type, default and meaning, written once, next to the options
 * (Kafka's {@code ConfigDef} is the model). The configuration reader maps a file onto {@link WalOptions.Builder}
 * through {@link #set}, the README's configuration reference lists these keys, and the defaults shown are read
 * from a default {@link WalOptions}, so they cannot drift from the {@code DEFAULT_*} constants. The first six keep
 * the names and defaults of the ProximaDB WAL; the rest are Spindle's own.
 */
public enum WalConfigKey
{
    WAL_URLS("wal_urls", Type.STRING_LIST, "one lane per URL: a path, file:///abs/path (s3://, adls://, gcs:// " +
        "need their backend module)", WalOptions::walUrls, (b, v) -> b.walUrls(strings(v))),
    DISTRIBUTION_STRATEGY("distribution_strategy", DistributionStrategy.class, "how collections (or, without " +
        "affinity, appends) are spread over lanes", WalOptions::distributionStrategy,
        (b, v) -> b.distributionStrategy((DistributionStrategy)v)),
    COLLECTION_AFFINITY("collection_affinity", Type.BOOLEAN, "a collection stays on the lane it was first given, " +
        "across restarts", WalOptions::collectionAffinity, (b, v) -> b.collectionAffinity((Boolean)v)),
    MEMORY_FLUSH_SIZE_BYTES("memory_flush_size_bytes", Type.SIZE, "dirty bytes of one collection that force a " +
        "flush (a block and, with PerBatch, an fsync) mid-batch", WalOptions::memoryFlushSizeBytes,
        (b, v) -> b.memoryFlushSizeBytes((Long)v)),
    GLOBAL_FLUSH_THRESHOLD("global_flush_threshold", Type.SIZE, "bytes appended and not yet acknowledged, over " +
        "all lanes, before appenders wait (back-pressure). A lane holding less than its share (the threshold " +
        "divided by the lanes) admits without reading the others, so together they stay under about twice it",
        WalOptions::globalFlushThresholdBytes, (b, v) -> b.globalFlushThresholdBytes((Long)v)),
    SYNC_MODE("sync_mode", SyncMode.class, "when an append is acknowledged and forced: Always, PerBatch, " +
        "Periodic, Never, MemoryOnly", WalOptions::syncMode, (b, v) -> b.syncMode((SyncMode)v)),
    DISK_SEGMENT_SIZE("disk_segment_size", Type.SIZE, "seal a segment at this size",
        WalOptions::diskSegmentSizeBytes, (b, v) -> b.diskSegmentSizeBytes((Long)v)),
    IO_MODE("io_mode", IoMode.class, "pwrite (off-heap buffer, positional writes, fdatasync) or mmap (encode " +
        "into the mapped file, msync)", WalOptions::ioMode, (b, v) -> b.ioMode((IoMode)v)),
    CODEC("codec", Codec.class, "Avro block codec of segments: null, zstandard, snappy or deflate (stock Avro " +
        "readers read each); compresses each block", WalOptions::codec, (b, v) -> b.codec((Codec)v)),
    CODEC_LEVEL("codec_level", 22, "compression level: zstandard 1-22, deflate 1-9; 0 for the codec's default " +
        "(zstandard 3, deflate 6)", WalOptions::codecLevel, (b, v) -> b.codecLevel(((Long)v).intValue())),
    RING_BUFFER_SIZE("ring_buffer_size", Integer.MAX_VALUE, "slots in each lane's Disruptor ring (a power of two, " +
        "at most " + WalOptions.MAX_RING_BUFFER_SIZE + ")", WalOptions::ringBufferSize,
        (b, v) -> b.ringBufferSize(((Long)v).intValue())),
    WAIT_STRATEGY("wait_strategy", WaitStrategy.class, "how an idle lane thread waits: blocking, backoff, " +
        "sleeping, yielding, busy_spin", WalOptions::waitStrategy, (b, v) -> b.waitStrategy((WaitStrategy)v)),
    FLUSH_INTERVAL_MS("flush_interval_ms", Long.MAX_VALUE, "fsync interval for sync_mode = Periodic",
        WalOptions::flushIntervalMs, (b, v) -> b.flushIntervalMs((Long)v)),
    SLOW_SYNC_MS("slow_sync_ms", Long.MAX_VALUE, "a lane whose fsync p99 over the last minute passes this is " +
        "reported slow (a warning, a metric; LoadBalanced gives new collections other lanes); 0 never",
        WalOptions::slowSyncMs, (b, v) -> b.slowSyncMs((Long)v)),
    SEGMENT_MAX_AGE_MS("segment_max_age_ms", Long.MAX_VALUE, "seal a segment this old even if not full; 0 " +
        "disables (with ack = \"remote\" the default is " + WalOptions.DEFAULT_REMOTE_ACK_SEGMENT_MAX_AGE_MS + ")",
        WalOptions::segmentMaxAgeMs, (b, v) -> b.segmentMaxAgeMs((Long)v)),
    RECOVERY_MODE("recovery_mode", RecoveryMode.class, "strict: corruption before a tail stops the open; " +
        "lenient: cut there and go on", WalOptions::recoveryMode, (b, v) -> b.recoveryMode((RecoveryMode)v)),
    MAX_ENTRY_SIZE_BYTES("max_entry_size_bytes", Type.SIZE, "largest encoded entry accepted; at most half of " +
        "disk_segment_size (the default shrinks to that)", WalOptions::maxEntrySizeBytes,
        (b, v) -> b.maxEntrySizeBytes((int)Math.min(Integer.MAX_VALUE, (Long)v))),
    PREALLOCATE_CHUNK_BYTES("preallocate_chunk_bytes", Type.SIZE, "how far ahead of the write position segments " +
        "are preallocated with real writes", WalOptions::preallocateChunkBytes,
        (b, v) -> b.preallocateChunkBytes((Long)v)),
    SYNC_PARALLELISM("sync_parallelism", 64, "how many files of one batch a lane forces at once",
        WalOptions::syncParallelism, (b, v) -> b.syncParallelism(((Long)v).intValue())),
    RECYCLE_SEGMENTS("recycle_segments", 64, "segments a local lane keeps, once a checkpoint freed them, to " +
        "overwrite instead of allocating new files (0: delete them)", WalOptions::recycleSegments,
        (b, v) -> b.recycleSegments(((Long)v).intValue())),
    PWRITE_PREALLOCATE("pwrite_preallocate", Type.BOOLEAN, "zero-fill and fdatasync pwrite segments a chunk " +
        "ahead, so commits need no metadata journal write: lower commit latency, about a quarter less peak " +
        "throughput", WalOptions::pwritePreallocate, (b, v) -> b.pwritePreallocate((Boolean)v)),
    STAGING_DIR("staging_dir", Type.STRING, "local directory where remote lanes (s3://, adls://, gcs://) write " +
        "their active segments before upload", WalOptions::stagingDir, (b, v) -> b.stagingDir(Path.of((String)v))),
    ACK("ack", AckMode.class, "remote lanes: acknowledge when durable in staging (local) or once the segment is " +
        "uploaded (remote)", WalOptions::ack, (b, v) -> b.ack((AckMode)v)),
    UPLOAD_CONCURRENCY("upload_concurrency", 256, "uploads in flight at once per backend",
        WalOptions::uploadConcurrency, (b, v) -> b.uploadConcurrency(((Long)v).intValue())),
    UPLOAD_QUEUE_BYTES("upload_queue_bytes", Type.SIZE, "sealed bytes a remote lane may hold in staging before " +
        "its appenders wait for uploads", WalOptions::uploadQueueBytes, (b, v) -> b.uploadQueueBytes((Long)v)),
    UPLOAD_RETRY_BASE_MS("upload_retry_base_ms", Long.MAX_VALUE, "first delay after a failed upload; doubles per " +
        "attempt, with jitter", WalOptions::uploadRetryBaseMs, (b, v) -> b.uploadRetryBaseMs((Long)v)),
    UPLOAD_RETRY_MAX_MS("upload_retry_max_ms", Long.MAX_VALUE, "longest delay between two attempts of one " +
        "upload (uploads are retried until they succeed)", WalOptions::uploadRetryMaxMs,
        (b, v) -> b.uploadRetryMaxMs((Long)v)),
    KEEP_STAGED_SEGMENTS("keep_staged_segments", Type.BOOLEAN, "keep a segment's staged copy after its verified " +
        "upload", WalOptions::keepStagedSegments, (b, v) -> b.keepStagedSegments((Boolean)v)),
    UPLOAD_CLOSE_TIMEOUT_MS("upload_close_timeout_ms", Long.MAX_VALUE, "how long close() waits for pending " +
        "uploads; what is left is uploaded at the next open", WalOptions::uploadCloseTimeoutMs,
        (b, v) -> b.uploadCloseTimeoutMs((Long)v));

    /** How a value is written, and the Java type {@link #set} takes for it. */
    public enum Type
    {
        /** An array of strings; {@code List<String>}. */
        STRING_LIST,
        /** A string; {@code String}. */
        STRING,
        /** The name of a constant of {@link #enumType()} as its {@code toString()} gives it, case-sensitive; the constant. */
        ENUM,
        /** {@code true} or {@code false}; {@code Boolean}. */
        BOOLEAN,
        /** A whole number from 0 to {@link #max()}; {@code Long}. */
        INTEGER,
        /** A positive number of bytes, or a string such as "64 MiB" (KiB, MiB, GiB, TiB); {@code Long}. */
        SIZE
    }

    private final String key;
    private final Type type;
    private final String doc;
    private final Class<? extends Enum<?>> enumType;
    private final long max;
    private final Function<WalOptions, Object> get;
    private final BiConsumer<WalOptions.Builder, Object> set;

    WalConfigKey(final String key, final Type type, final String doc, final Function<WalOptions, Object> get,
        final BiConsumer<WalOptions.Builder, Object> set)
    {
        this(key, type, null, Long.MAX_VALUE, doc, get, set);
    }

    WalConfigKey(final String key, final Class<? extends Enum<?>> enumType, final String doc,
        final Function<WalOptions, Object> get, final BiConsumer<WalOptions.Builder, Object> set)
    {
        this(key, Type.ENUM, enumType, Long.MAX_VALUE, doc, get, set);
    }

    WalConfigKey(final String key, final long max, final String doc, final Function<WalOptions, Object> get,
        final BiConsumer<WalOptions.Builder, Object> set)
    {
        this(key, Type.INTEGER, null, max, doc, get, set);
    }

    WalConfigKey(final String key, final Type type, final Class<? extends Enum<?>> enumType, final long max,
        final String doc, final Function<WalOptions, Object> get, final BiConsumer<WalOptions.Builder, Object> set)
    {
        this.key = key;
        this.type = type;
        this.enumType = enumType;
        this.max = max;
        this.doc = doc;
        this.get = get;
        this.set = set;
    }

    /** @return the TOML key, e.g. {@code sync_mode}. */
    public String key()
    {
        return key;
    }

    public Type type()
    {
        return type;
    }

    /** @return what the key means, for the README and messages. */
    public String doc()
    {
        return doc;
    }

    /** @return the enum an {@link Type#ENUM} key takes, else null. */
    public Class<? extends Enum<?>> enumType()
    {
        return enumType;
    }

    /** @return the largest value of an {@link Type#INTEGER} key. */
    public long max()
    {
        return max;
    }

    /** @return the accepted values of an enum key, comma separated ("" for other keys). */
    public String acceptedValues()
    {
        return enumType == null ? "" :
            Arrays.stream(enumType.getEnumConstants()).map(String::valueOf).collect(Collectors.joining(", "));
    }

    /** @return this key's value in {@code options}. */
    public Object get(final WalOptions options)
    {
        return get.apply(options);
    }

    /**
     * Set this key on {@code builder}.
     *
     * @param value of the Java type of {@link #type()} (see {@link Type}).
     * @throws ClassCastException for a value of another type.
     */
    public void set(final WalOptions.Builder builder, final Object value)
    {
        set.accept(builder, value);
    }

    /** @return the default as TOML would write it, sizes with their unit, e.g. {@code 1048576 (1 MiB)}. */
    public String defaultValue()
    {
        final Object value = get(Defaults.OPTIONS);
        switch (type)
        {
            case SIZE:
                return value + " (" + Sizes.format(((Number)value).longValue()) + ")";
            case STRING_LIST:
                return ((List<?>)value).stream().map(v -> "\"" + v + "\"").collect(Collectors.joining(", ", "[", "]"));
            case STRING:
            case ENUM:
                return "\"" + value + "\"";
            default:
                return String.valueOf(value);
        }
    }

    /** @return the key named {@code key}, if there is one. */
    public static Optional<WalConfigKey> of(final String key)
    {
        return Arrays.stream(values()).filter(k -> k.key.equals(key)).findFirst();
    }

    /** @return every key name, in documentation order. */
    public static List<String> names()
    {
        return Arrays.stream(values()).map(WalConfigKey::key).collect(Collectors.toList());
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(final Object value)
    {
        return (List<String>)value;
    }

    /** The options with every default, built on first use (not while the enum itself initialises). */
    private static final class Defaults
    {
        static final WalOptions OPTIONS = WalOptions.builder().build();
    }
}
