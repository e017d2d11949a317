package dev.spindle.wal;

import java.util.ArrayList;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Objects;

/**
 * Everything a {@link Wal} can be told, with the defaults of the ProximaDB WAL this project grew from.
 * The names in messages are the TOML keys of {@code [storage.wal_config]}, so an error reads the same
 * whether the options came from a file or from this builder. {@link WalConfigKey} lists every key with its type,
 * default and meaning; the rules the options must satisfy together are {@code WalOptionsCheck}'s, and a refused
 * option is an {@link InvalidOptionException} that names its key.
 *
 * <pre>{@code
 * WalOptions options = WalOptions.builder()
 *     .walUrls("file:///mnt/nvme1/wal", "file:///mnt/nvme2/wal")
 *     .syncMode(SyncMode.PerBatch)
 *     .build();
 * }</pre>
 */
public final class WalOptions
{
    public static final long KIB = 1024;
    public static final long MIB = 1024 * KIB;

    public static final List<String> DEFAULT_WAL_URLS = List.of("data/wal");
    public static final DistributionStrategy DEFAULT_DISTRIBUTION_STRATEGY = DistributionStrategy.LoadBalanced;
    public static final boolean DEFAULT_COLLECTION_AFFINITY = true;
    public static final long DEFAULT_MEMORY_FLUSH_SIZE_BYTES = MIB;
    public static final long DEFAULT_GLOBAL_FLUSH_THRESHOLD = 512 * MIB;
    public static final SyncMode DEFAULT_SYNC_MODE = SyncMode.PerBatch;
    public static final long DEFAULT_DISK_SEGMENT_SIZE = 64 * MIB;
    public static final IoMode DEFAULT_IO_MODE = IoMode.pwrite;
    public static final Codec DEFAULT_CODEC = Codec.NULL;
    public static final int DEFAULT_RING_BUFFER_SIZE = 8192;
    public static final WaitStrategy DEFAULT_WAIT_STRATEGY = WaitStrategy.blocking;
    public static final long DEFAULT_FLUSH_INTERVAL_MS = 100;
    /** A lane whose fsync p99 over the last minute passes this is reported slow (0: never). */
    public static final long DEFAULT_SLOW_SYNC_MS = 250;
    public static final long DEFAULT_SEGMENT_MAX_AGE_MS = 600_000;
    public static final RecoveryMode DEFAULT_RECOVERY_MODE = RecoveryMode.strict;
    public static final int DEFAULT_MAX_ENTRY_SIZE_BYTES = (int)(16 * MIB);
    public static final long DEFAULT_PREALLOCATE_CHUNK_BYTES = 4 * MIB;
    public static final int DEFAULT_SYNC_PARALLELISM = 4;
    public static final int DEFAULT_RECYCLE_SEGMENTS = 4;
    public static final boolean DEFAULT_PWRITE_PREALLOCATE = false;
    public static final Path DEFAULT_STAGING_DIR = Path.of("data/staging");
    public static final AckMode DEFAULT_ACK = AckMode.local;
    /** {@code segment_max_age_ms} when {@code ack = "remote"} and none is given. */
    public static final long DEFAULT_REMOTE_ACK_SEGMENT_MAX_AGE_MS = 1000;
    public static final int DEFAULT_UPLOAD_CONCURRENCY = 4;
    public static final long DEFAULT_UPLOAD_QUEUE_BYTES = 1024 * MIB;
    public static final long DEFAULT_UPLOAD_RETRY_BASE_MS = 200;
    public static final long DEFAULT_UPLOAD_RETRY_MAX_MS = 30_000;
    public static final boolean DEFAULT_KEEP_STAGED_SEGMENTS = false;
    public static final long DEFAULT_UPLOAD_CLOSE_TIMEOUT_MS = 30_000;

    /** Smallest segment accepted: a header, a block and room to seal. */
    public static final long MIN_SEGMENT_SIZE = 64 * KIB;
    /** Largest segment accepted (mappings and buffers are indexed by int). */
    public static final long MAX_SEGMENT_SIZE = 1024 * MIB;
    /**
     * Largest {@code ring_buffer_size} accepted. A lane makes every slot when it opens (a slot object and its
     * arrays, a reference and the sequencer's availability flag): about 250 bytes of heap per slot, so 2^20 slots
     * are about 250 MB per lane; 2^26 ran for minutes before the first append, 2^30 exhausted the heap. Larger
     * rings only queue more behind a batch (65,536 already added only p99).
     */
    public static final int MAX_RING_BUFFER_SIZE = 1 << 20;

    private final List<String> walUrls;
    private final DistributionStrategy distributionStrategy;
    private final boolean collectionAffinity;
    private final long memoryFlushSizeBytes;
    private final long globalFlushThresholdBytes;
    private final SyncMode syncMode;
    private final long diskSegmentSizeBytes;
    private final IoMode ioMode;
    private final Codec codec;
    private final int codecLevel;
    private final int ringBufferSize;
    private final WaitStrategy waitStrategy;
    private final long flushIntervalMs;
    private final long slowSyncMs;
    private final long segmentMaxAgeMs;
    private final RecoveryMode recoveryMode;
    private final int maxEntrySizeBytes;
    private final long preallocateChunkBytes;
    private final int syncParallelism;
    private final int recycleSegments;
    private final boolean pwritePreallocate;
    private final Path stagingDir;
    private final AckMode ack;
    private final int uploadConcurrency;
    private final long uploadQueueBytes;
    private final long uploadRetryBaseMs;
    private final long uploadRetryMaxMs;
    private final boolean keepStagedSegments;
    private final long uploadCloseTimeoutMs;
    private final Map<String, Map<String, String>> backendSettings;

    private WalOptions(final Builder b)
    {
        walUrls = List.copyOf(b.walUrls);
        distributionStrategy = b.distributionStrategy;
        collectionAffinity = b.collectionAffinity;
        memoryFlushSizeBytes = b.memoryFlushSizeBytes;
        globalFlushThresholdBytes = b.globalFlushThresholdBytes;
        syncMode = b.syncMode;
        diskSegmentSizeBytes = b.diskSegmentSizeBytes;
        ioMode = b.ioMode;
        codec = b.codec;
        codecLevel = b.codecLevel;
        ringBufferSize = b.ringBufferSize;
        waitStrategy = b.waitStrategy;
        flushIntervalMs = b.flushIntervalMs;
        slowSyncMs = b.slowSyncMs;
        // ack = "remote" bounds how long an acknowledgement waits by sealing often, unless told otherwise
        segmentMaxAgeMs = b.ack == AckMode.remote && !b.segmentMaxAgeSet ?
            DEFAULT_REMOTE_ACK_SEGMENT_MAX_AGE_MS : b.segmentMaxAgeMs;
        recoveryMode = b.recoveryMode;
        maxEntrySizeBytes = b.maxEntrySizeBytes == -1 ?
            (int)Math.min(DEFAULT_MAX_ENTRY_SIZE_BYTES, b.diskSegmentSizeBytes / 2) : b.maxEntrySizeBytes;
        preallocateChunkBytes = b.preallocateChunkBytes;
        syncParallelism = b.syncParallelism;
        recycleSegments = b.recycleSegments;
        pwritePreallocate = b.pwritePreallocate;
        stagingDir = b.stagingDir;
        ack = b.ack;
        uploadConcurrency = b.uploadConcurrency;
        uploadQueueBytes = b.uploadQueueBytes;
        uploadRetryBaseMs = b.uploadRetryBaseMs;
        uploadRetryMaxMs = b.uploadRetryMaxMs;
        keepStagedSegments = b.keepStagedSegments;
        uploadCloseTimeoutMs = b.uploadCloseTimeoutMs;
        final Map<String, Map<String, String>> settings = new TreeMap<>();
        b.backendSettings.forEach((k, v) -> settings.put(k, Collections.unmodifiableMap(new TreeMap<>(v))));
        backendSettings = Collections.unmodifiableMap(settings);
    }

    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * @return a builder holding these options, to derive a variant.
     */
    public Builder toBuilder()
    {
        final Builder b = new Builder();
        b.walUrls = new ArrayList<>(walUrls);
        b.distributionStrategy = distributionStrategy;
        b.collectionAffinity = collectionAffinity;
        b.memoryFlushSizeBytes = memoryFlushSizeBytes;
        b.globalFlushThresholdBytes = globalFlushThresholdBytes;
        b.syncMode = syncMode;
        b.diskSegmentSizeBytes = diskSegmentSizeBytes;
        b.ioMode = ioMode;
        b.codec = codec;
        b.codecLevel = codecLevel;
        b.ringBufferSize = ringBufferSize;
        b.waitStrategy = waitStrategy;
        b.flushIntervalMs = flushIntervalMs;
        b.slowSyncMs = slowSyncMs;
        b.segmentMaxAgeMs = segmentMaxAgeMs;
        b.recoveryMode = recoveryMode;
        b.maxEntrySizeBytes = maxEntrySizeBytes;
        b.preallocateChunkBytes = preallocateChunkBytes;
        b.syncParallelism = syncParallelism;
        b.recycleSegments = recycleSegments;
        b.pwritePreallocate = pwritePreallocate;
        b.stagingDir = stagingDir;
        b.ack = ack;
        b.segmentMaxAgeSet = true;
        b.uploadConcurrency = uploadConcurrency;
        b.uploadQueueBytes = uploadQueueBytes;
        b.uploadRetryBaseMs = uploadRetryBaseMs;
        b.uploadRetryMaxMs = uploadRetryMaxMs;
        b.keepStagedSegments = keepStagedSegments;
        b.uploadCloseTimeoutMs = uploadCloseTimeoutMs;
        backendSettings.forEach((k, v) -> b.backendSettings.put(k, new TreeMap<>(v)));
        return b;
    }

    /** @return {@code wal_urls}: one lane per URL. */
    public List<String> walUrls()
    {
        return walUrls;
    }

    /** @return {@code distribution_strategy}. */
    public DistributionStrategy distributionStrategy()
    {
        return distributionStrategy;
    }

    /** @return {@code collection_affinity}. */
    public boolean collectionAffinity()
    {
        return collectionAffinity;
    }

    /** @return {@code memory_flush_size_bytes}. */
    public long memoryFlushSizeBytes()
    {
        return memoryFlushSizeBytes;
    }

    /** @return {@code global_flush_threshold}. */
    public long globalFlushThresholdBytes()
    {
        return globalFlushThresholdBytes;
    }

    /** @return {@code sync_mode}. */
    public SyncMode syncMode()
    {
        return syncMode;
    }

    /** @return {@code disk_segment_size}. */
    public long diskSegmentSizeBytes()
    {
        return diskSegmentSizeBytes;
    }

    /** @return {@code io_mode}. */
    public IoMode ioMode()
    {
        return ioMode;
    }

    /** @return {@code codec}. */
    public Codec codec()
    {
        return codec;
    }

    /** @return {@code codec_level}: 0 for the codec's default. */
    public int codecLevel()
    {
        return codecLevel;
    }

    /** @return {@code ring_buffer_size}. */
    public int ringBufferSize()
    {
        return ringBufferSize;
    }

    /** @return {@code wait_strategy}. */
    public WaitStrategy waitStrategy()
    {
        return waitStrategy;
    }

    /** @return {@code flush_interval_ms}. */
    public long flushIntervalMs()
    {
        return flushIntervalMs;
    }

    /** @return the fsync p99 over the last minute above which a lane is reported slow (0: never). */
    public long slowSyncMs()
    {
        return slowSyncMs;
    }

    /** @return {@code segment_max_age_ms}; 0 disables sealing by age. */
    public long segmentMaxAgeMs()
    {
        return segmentMaxAgeMs;
    }

    /** @return {@code recovery_mode}. */
    public RecoveryMode recoveryMode()
    {
        return recoveryMode;
    }

    /** @return {@code max_entry_size_bytes}: the largest encoded entry accepted (default 16 MiB, at most half a segment). */
    public int maxEntrySizeBytes()
    {
        return maxEntrySizeBytes;
    }

    /** @return {@code preallocate_chunk_bytes}: how far ahead of the write position segments are preallocated. */
    public long preallocateChunkBytes()
    {
        return preallocateChunkBytes;
    }

    /** @return {@code sync_parallelism}: how many files of one batch a lane forces at once. */
    public int syncParallelism()
    {
        return syncParallelism;
    }

    /**
     * @return {@code recycle_segments}: how many segments a local lane keeps, once a checkpoint freed them, to
     *     overwrite instead of allocating new files (0: delete them).
     */
    public int recycleSegments()
    {
        return recycleSegments;
    }

    /**
     * @return {@code pwrite_preallocate}: zero-fill and fdatasync pwrite segments a chunk ahead of the
     *     writes, so commits need no metadata journal write. Lower commit latency at moderate load, about
     *     a quarter less peak throughput (every byte reaches the disk twice).
     */
    public boolean pwritePreallocate()
    {
        return pwritePreallocate;
    }

    /** @return {@code staging_dir}: the local directory where remote lanes write their active segments. */
    public Path stagingDir()
    {
        return stagingDir;
    }

    /** @return {@code ack}: whether remote lanes acknowledge when locally durable or when uploaded. */
    public AckMode ack()
    {
        return ack;
    }

    /** @return {@code upload_concurrency}: uploads in flight at once per backend (s3, adls, gcs). */
    public int uploadConcurrency()
    {
        return uploadConcurrency;
    }

    /**
     * @return {@code upload_queue_bytes}: sealed bytes a remote lane may hold in staging, not yet uploaded,
     *     before appenders to it wait (back-pressure instead of a full staging disk).
     */
    public long uploadQueueBytes()
    {
        return uploadQueueBytes;
    }

    /** @return {@code upload_retry_base_ms}: the first retry delay; it doubles per attempt, with jitter. */
    public long uploadRetryBaseMs()
    {
        return uploadRetryBaseMs;
    }

    /** @return {@code upload_retry_max_ms}: the longest delay between two attempts of one upload. */
    public long uploadRetryMaxMs()
    {
        return uploadRetryMaxMs;
    }

    /** @return {@code keep_staged_segments}: keep the staged copy of a segment after its verified upload. */
    public boolean keepStagedSegments()
    {
        return keepStagedSegments;
    }

    /** @return {@code upload_close_timeout_ms}: how long {@code close()} waits for pending uploads. */
    public long uploadCloseTimeoutMs()
    {
        return uploadCloseTimeoutMs;
    }

    /**
     * @return backend settings by section: {@code "s3"}, {@code "adls"}, {@code "gcs"} for
     *     {@code [storage.wal_config.<backend>]}, and {@code "s3/<bucket>"} (or {@code "adls/<account>"},
     *     {@code "gcs/<bucket>"}) for a per-bucket override table, whose keys win over the section's.
     */
    public Map<String, Map<String, String>> backendSettings()
    {
        return backendSettings;
    }

    /**
     * @return the settings for one lane: the backend section overlaid with the table of {@code target}
     *     (a bucket or account name), if any.
     */
    public Map<String, String> backendSettings(final String backend, final String target)
    {
        final Map<String, String> merged = new TreeMap<>(backendSettings.getOrDefault(backend, Map.of()));
        merged.putAll(backendSettings.getOrDefault(backend + "/" + target, Map.of()));
        return merged;
    }

    /** Every key and its value, in the order of {@link WalConfigKey}; backend settings by section name only. */
    @Override
    public String toString()
    {
        final StringBuilder text = new StringBuilder("WalOptions{");
        for (final WalConfigKey key : WalConfigKey.values())
        {
            text.append(key.key()).append('=').append(key.get(this)).append(", ");
        }
        return text.append("backends=").append(backendSettings.keySet()).append('}').toString();   // may hold secrets
    }

    /**
     * Collects options; {@link #build()} checks them together and names the first key that is wrong.
     */
    public static final class Builder
    {
        private List<String> walUrls = new ArrayList<>(DEFAULT_WAL_URLS);
        private DistributionStrategy distributionStrategy = DEFAULT_DISTRIBUTION_STRATEGY;
        private boolean collectionAffinity = DEFAULT_COLLECTION_AFFINITY;
        private long memoryFlushSizeBytes = DEFAULT_MEMORY_FLUSH_SIZE_BYTES;
        private long globalFlushThresholdBytes = DEFAULT_GLOBAL_FLUSH_THRESHOLD;
        private SyncMode syncMode = DEFAULT_SYNC_MODE;
        private long diskSegmentSizeBytes = DEFAULT_DISK_SEGMENT_SIZE;
        private IoMode ioMode = DEFAULT_IO_MODE;
        private Codec codec = DEFAULT_CODEC;
        private int codecLevel;
        private int ringBufferSize = DEFAULT_RING_BUFFER_SIZE;
        private WaitStrategy waitStrategy = DEFAULT_WAIT_STRATEGY;
        private long flushIntervalMs = DEFAULT_FLUSH_INTERVAL_MS;
        private long slowSyncMs = DEFAULT_SLOW_SYNC_MS;
        private long segmentMaxAgeMs = DEFAULT_SEGMENT_MAX_AGE_MS;
        private RecoveryMode recoveryMode = DEFAULT_RECOVERY_MODE;
        private int maxEntrySizeBytes = -1;
        private long preallocateChunkBytes = DEFAULT_PREALLOCATE_CHUNK_BYTES;
        private int syncParallelism = DEFAULT_SYNC_PARALLELISM;
        private int recycleSegments = DEFAULT_RECYCLE_SEGMENTS;
        private boolean pwritePreallocate = DEFAULT_PWRITE_PREALLOCATE;
        private boolean segmentMaxAgeSet;
        private Path stagingDir = DEFAULT_STAGING_DIR;
        private AckMode ack = DEFAULT_ACK;
        private int uploadConcurrency = DEFAULT_UPLOAD_CONCURRENCY;
        private long uploadQueueBytes = DEFAULT_UPLOAD_QUEUE_BYTES;
        private long uploadRetryBaseMs = DEFAULT_UPLOAD_RETRY_BASE_MS;
        private long uploadRetryMaxMs = DEFAULT_UPLOAD_RETRY_MAX_MS;
        private boolean keepStagedSegments = DEFAULT_KEEP_STAGED_SEGMENTS;
        private long uploadCloseTimeoutMs = DEFAULT_UPLOAD_CLOSE_TIMEOUT_MS;
        private final Map<String, Map<String, String>> backendSettings = new TreeMap<>();

        private Builder()
        {
        }

        public Builder walUrls(final String... urls)
        {
            return walUrls(List.of(urls));
        }

        public Builder walUrls(final List<String> urls)
        {
            this.walUrls = new ArrayList<>(Objects.requireNonNull(urls, "wal_urls"));
            return this;
        }

        public Builder distributionStrategy(final DistributionStrategy strategy)
        {
            this.distributionStrategy = Objects.requireNonNull(strategy, "distribution_strategy");
            return this;
        }

        public Builder collectionAffinity(final boolean affinity)
        {
            this.collectionAffinity = affinity;
            return this;
        }

        public Builder memoryFlushSizeBytes(final long bytes)
        {
            this.memoryFlushSizeBytes = bytes;
            return this;
        }

        public Builder globalFlushThresholdBytes(final long bytes)
        {
            this.globalFlushThresholdBytes = bytes;
            return this;
        }

        public Builder syncMode(final SyncMode mode)
        {
            this.syncMode = Objects.requireNonNull(mode, "sync_mode");
            return this;
        }

        public Builder diskSegmentSizeBytes(final long bytes)
        {
            this.diskSegmentSizeBytes = bytes;
            return this;
        }

        public Builder ioMode(final IoMode mode)
        {
            this.ioMode = Objects.requireNonNull(mode, "io_mode");
            return this;
        }

        public Builder codec(final Codec codec)
        {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /**
         * @param level the codec's compression level; 0 for its default.
         */
        public Builder codecLevel(final int level)
        {
            this.codecLevel = level;
            return this;
        }

        public Builder ringBufferSize(final int slots)
        {
            this.ringBufferSize = slots;
            return this;
        }

        public Builder waitStrategy(final WaitStrategy strategy)
        {
            this.waitStrategy = Objects.requireNonNull(strategy, "wait_strategy");
            return this;
        }

        /** @see WalConfigKey#SLOW_SYNC_MS */
        public Builder slowSyncMs(final long millis)
        {
            this.slowSyncMs = millis;
            return this;
        }

        public Builder flushIntervalMs(final long millis)
        {
            this.flushIntervalMs = millis;
            return this;
        }

        public Builder segmentMaxAgeMs(final long millis)
        {
            this.segmentMaxAgeMs = millis;
            this.segmentMaxAgeSet = true;
            return this;
        }

        public Builder recoveryMode(final RecoveryMode mode)
        {
            this.recoveryMode = Objects.requireNonNull(mode, "recovery_mode");
            return this;
        }

        public Builder maxEntrySizeBytes(final int bytes)
        {
            this.maxEntrySizeBytes = bytes;
            return this;
        }

        public Builder preallocateChunkBytes(final long bytes)
        {
            this.preallocateChunkBytes = bytes;
            return this;
        }

        public Builder syncParallelism(final int threads)
        {
            this.syncParallelism = threads;
            return this;
        }

        public Builder recycleSegments(final int segments)
        {
            this.recycleSegments = segments;
            return this;
        }

        public Builder pwritePreallocate(final boolean preallocate)
        {
            this.pwritePreallocate = preallocate;
            return this;
        }

        public Builder stagingDir(final Path dir)
        {
            this.stagingDir = dir;
            return this;
        }

        public Builder ack(final AckMode mode)
        {
            this.ack = mode;
            return this;
        }

        public Builder uploadConcurrency(final int uploads)
        {
            this.uploadConcurrency = uploads;
            return this;
        }

        public Builder uploadQueueBytes(final long bytes)
        {
            this.uploadQueueBytes = bytes;
            return this;
        }

        public Builder uploadRetryBaseMs(final long millis)
        {
            this.uploadRetryBaseMs = millis;
            return this;
        }

        public Builder uploadRetryMaxMs(final long millis)
        {
            this.uploadRetryMaxMs = millis;
            return this;
        }

        public Builder keepStagedSegments(final boolean keep)
        {
            this.keepStagedSegments = keep;
            return this;
        }

        public Builder uploadCloseTimeoutMs(final long millis)
        {
            this.uploadCloseTimeoutMs = millis;
            return this;
        }

        /**
         * Settings of one backend section: {@code section} is {@code "s3"}, {@code "adls"} or {@code "gcs"},
         * or {@code "s3/<bucket>"} etc. for a per-bucket override. Replaces what the section held.
         */
        public Builder backendSettings(final String section, final Map<String, String> settings)
        {
            this.backendSettings.put(section, new TreeMap<>(settings));
            return this;
        }

        /**
         * @return the options, checked together; the builder is left as it was, so it may be changed and built
         *     again (derived defaults such as {@code max_entry_size_bytes} follow the other keys each time).
         * @throws InvalidOptionException naming the first key whose value is not accepted, and what would be.
         */
        public WalOptions build()
        {
            WalOptionsCheck.checkUrls(walUrls);
            final WalOptions options = new WalOptions(this);
            WalOptionsCheck.check(options);
            return options;
        }
    }
}
