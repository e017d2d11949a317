package dev.spindle.config;

import dev.spindle.wal.AckMode;
import dev.spindle.wal.DistributionStrategy;
import dev.spindle.wal.IoMode;
import dev.spindle.wal.RecoveryMode;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.WaitStrategy;
import dev.spindle.wal.WalOptions;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Every key of {@code [storage.wal_config]}: its type, its default and what it means. The first
 * six keep the names and defaults of the ProximaDB WAL; the rest are Spindle's own. The README's
 * configuration reference lists the same keys.
 */
public enum ConfigKey
{
    WAL_URLS("wal_urls", Type.STRING_ARRAY, "[\"data/wal\"]",
        "one lane per URL: a path, file:///abs/path (s3://, adls://, gcs:// need their backend module)"),
    DISTRIBUTION_STRATEGY("distribution_strategy", Type.ENUM, WalOptions.DEFAULT_DISTRIBUTION_STRATEGY.name(),
        "how collections (or, without affinity, appends) are spread over lanes", DistributionStrategy.class),
    COLLECTION_AFFINITY("collection_affinity", Type.BOOLEAN, "true",
        "a collection stays on the lane it was first given, across restarts"),
    MEMORY_FLUSH_SIZE_BYTES("memory_flush_size_bytes", Type.SIZE, "1048576 (1 MiB)",
        "dirty bytes of one collection that force a flush (a block and, with PerBatch, an fsync) mid-batch"),
    GLOBAL_FLUSH_THRESHOLD("global_flush_threshold", Type.SIZE, "536870912 (512 MiB)",
        "bytes appended and not yet acknowledged, over all lanes, before appenders wait (back-pressure)"),
    SYNC_MODE("sync_mode", Type.ENUM, WalOptions.DEFAULT_SYNC_MODE.name(),
        "when an append is acknowledged and forced: Always, PerBatch, Periodic, Never, MemoryOnly", SyncMode.class),
    DISK_SEGMENT_SIZE("disk_segment_size", Type.SIZE, "67108864 (64 MiB)", "seal a segment at this size"),
    IO_MODE("io_mode", Type.ENUM, WalOptions.DEFAULT_IO_MODE.name(),
        "pwrite (off-heap buffer, positional writes, fdatasync) or mmap (encode into the mapped file, msync)",
        IoMode.class),
    RING_BUFFER_SIZE("ring_buffer_size", Type.INTEGER, Integer.toString(WalOptions.DEFAULT_RING_BUFFER_SIZE),
        "slots in each lane's Disruptor ring (a power of two)"),
    WAIT_STRATEGY("wait_strategy", Type.ENUM, WalOptions.DEFAULT_WAIT_STRATEGY.name(),
        "how an idle lane thread waits: blocking, sleeping, yielding, busy_spin", WaitStrategy.class),
    FLUSH_INTERVAL_MS("flush_interval_ms", Type.INTEGER, Long.toString(WalOptions.DEFAULT_FLUSH_INTERVAL_MS),
        "fsync interval for sync_mode = Periodic"),
    SEGMENT_MAX_AGE_MS("segment_max_age_ms", Type.INTEGER, Long.toString(WalOptions.DEFAULT_SEGMENT_MAX_AGE_MS),
        "seal a segment this old even if not full; 0 disables"),
    RECOVERY_MODE("recovery_mode", Type.ENUM, WalOptions.DEFAULT_RECOVERY_MODE.name(),
        "strict: corruption before a tail stops the open; lenient: cut there and go on", RecoveryMode.class),
    MAX_ENTRY_SIZE_BYTES("max_entry_size_bytes", Type.SIZE, "16777216 (16 MiB, at most half a segment)",
        "largest encoded entry accepted"),
    PREALLOCATE_CHUNK_BYTES("preallocate_chunk_bytes", Type.SIZE, "4194304 (4 MiB)",
        "how far ahead of the write position mmap segments are preallocated with real writes"),
    SYNC_PARALLELISM("sync_parallelism", Type.INTEGER, Integer.toString(WalOptions.DEFAULT_SYNC_PARALLELISM),
        "how many files of one batch a lane forces at once"),
    PWRITE_PREALLOCATE("pwrite_preallocate", Type.BOOLEAN, Boolean.toString(WalOptions.DEFAULT_PWRITE_PREALLOCATE),
        "zero-fill and fdatasync pwrite segments a chunk ahead: lower commit latency, less peak throughput"),
    STAGING_DIR("staging_dir", Type.STRING, WalOptions.DEFAULT_STAGING_DIR.toString(),
        "local directory where remote lanes (s3://, adls://, gcs://) write their active segments before upload"),
    ACK("ack", Type.ENUM, WalOptions.DEFAULT_ACK.name(),
        "remote lanes: acknowledge when durable in staging (local) or once the segment is uploaded (remote)",
        AckMode.class),
    UPLOAD_CONCURRENCY("upload_concurrency", Type.INTEGER, Integer.toString(WalOptions.DEFAULT_UPLOAD_CONCURRENCY),
        "uploads in flight at once per backend"),
    UPLOAD_QUEUE_BYTES("upload_queue_bytes", Type.SIZE, "1073741824 (1 GiB)",
        "sealed bytes a remote lane may hold in staging before its appenders wait for uploads"),
    UPLOAD_RETRY_BASE_MS("upload_retry_base_ms", Type.INTEGER, Long.toString(WalOptions.DEFAULT_UPLOAD_RETRY_BASE_MS),
        "first delay after a failed upload; doubles per attempt, with jitter"),
    UPLOAD_RETRY_MAX_MS("upload_retry_max_ms", Type.INTEGER, Long.toString(WalOptions.DEFAULT_UPLOAD_RETRY_MAX_MS),
        "longest delay between two attempts of one upload (uploads are retried until they succeed)"),
    KEEP_STAGED_SEGMENTS("keep_staged_segments", Type.BOOLEAN, Boolean.toString(WalOptions.DEFAULT_KEEP_STAGED_SEGMENTS),
        "keep a segment's staged copy after its verified upload"),
    UPLOAD_CLOSE_TIMEOUT_MS("upload_close_timeout_ms", Type.INTEGER,
        Long.toString(WalOptions.DEFAULT_UPLOAD_CLOSE_TIMEOUT_MS),
        "how long close() waits for pending uploads; what is left is uploaded at the next open");

    /** Value types accepted in TOML. */
    public enum Type
    {
        STRING_ARRAY, STRING, ENUM, BOOLEAN, INTEGER,
        /** An integer number of bytes, or a string such as "64 MiB" (KiB, MiB, GiB). */
        SIZE
    }

    private final String key;
    private final Type type;
    private final String defaultValue;
    private final String description;
    private final Class<? extends Enum<?>> enumType;

    ConfigKey(final String key, final Type type, final String defaultValue, final String description)
    {
        this(key, type, defaultValue, description, null);
    }

    ConfigKey(final String key, final Type type, final String defaultValue, final String description,
        final Class<? extends Enum<?>> enumType)
    {
        this.key = key;
        this.type = type;
        this.defaultValue = defaultValue;
        this.description = description;
        this.enumType = enumType;
    }

    public String key()
    {
        return key;
    }

    public Type type()
    {
        return type;
    }

    public String defaultValue()
    {
        return defaultValue;
    }

    public String description()
    {
        return description;
    }

    /**
     * @return the accepted values of an enum key, comma separated.
     */
    public String acceptedValues()
    {
        return enumType == null ? "" : String.join(", ",
            Arrays.stream(enumType.getEnumConstants()).map(Enum::name).toArray(String[]::new));
    }

    Class<? extends Enum<?>> enumType()
    {
        return enumType;
    }

    public static Optional<ConfigKey> of(final String key)
    {
        return Arrays.stream(values()).filter(k -> k.key.equals(key)).findFirst();
    }

    /**
     * @return the known key closest to {@code unknown} (edit distance at most 3), for "did you mean".
     */
    static Optional<String> closest(final String unknown)
    {
        String best = null;
        int bestDistance = 4;
        for (final ConfigKey k : values())
        {
            final int d = distance(unknown.toLowerCase(Locale.ROOT), k.key);
            if (d < bestDistance)
            {
                best = k.key;
                bestDistance = d;
            }
        }
        return Optional.ofNullable(best);
    }

    static int distance(final String a, final String b)
    {
        final int[] previous = new int[b.length() + 1];
        final int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++)
        {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++)
            {
                final int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            System.arraycopy(current, 0, previous, 0, current.length);
        }
        return previous[b.length()];
    }
}
