package dev.spindle.wal;

import java.util.List;

import static dev.spindle.wal.WalConfigKey.ACK;
import static dev.spindle.wal.WalConfigKey.CODEC_LEVEL;
import static dev.spindle.wal.WalConfigKey.DISK_SEGMENT_SIZE;
import static dev.spindle.wal.WalConfigKey.FLUSH_INTERVAL_MS;
import static dev.spindle.wal.WalConfigKey.SLOW_SYNC_MS;
import static dev.spindle.wal.WalConfigKey.GLOBAL_FLUSH_THRESHOLD;
import static dev.spindle.wal.WalConfigKey.MAX_ENTRY_SIZE_BYTES;
import static dev.spindle.wal.WalConfigKey.MEMORY_FLUSH_SIZE_BYTES;
import static dev.spindle.wal.WalConfigKey.PREALLOCATE_CHUNK_BYTES;
import static dev.spindle.wal.WalConfigKey.RING_BUFFER_SIZE;
import static dev.spindle.wal.WalConfigKey.SEGMENT_MAX_AGE_MS;
import static dev.spindle.wal.WalConfigKey.STAGING_DIR;
import static dev.spindle.wal.WalConfigKey.RECYCLE_SEGMENTS;
import static dev.spindle.wal.WalConfigKey.SYNC_PARALLELISM;
import static dev.spindle.wal.WalConfigKey.UPLOAD_CLOSE_TIMEOUT_MS;
import static dev.spindle.wal.WalConfigKey.UPLOAD_CONCURRENCY;
import static dev.spindle.wal.WalConfigKey.UPLOAD_QUEUE_BYTES;
import static dev.spindle.wal.WalConfigKey.UPLOAD_RETRY_BASE_MS;
import static dev.spindle.wal.WalConfigKey.UPLOAD_RETRY_MAX_MS;
import static dev.spindle.wal.WalConfigKey.WAL_URLS;

/**
 * The rules {@link WalOptions} must satisfy, alone and together, checked in a fixed order so the first key named
 * is the same every time. Separate from the options so that the options read as data and the rules as rules.
 * Every failure is an {@link InvalidOptionException} carrying its key.
 */
final class WalOptionsCheck
{
    private WalOptionsCheck()
    {
    }

    /** The rules of every key but {@code wal_urls} ({@link #checkUrls}, checked before the options are made). */
    static void check(final WalOptions o)
    {
        positive(MEMORY_FLUSH_SIZE_BYTES, o.memoryFlushSizeBytes());
        positive(GLOBAL_FLUSH_THRESHOLD, o.globalFlushThresholdBytes());
        positive(DISK_SEGMENT_SIZE, o.diskSegmentSizeBytes());
        checkSegmentSize(o.diskSegmentSizeBytes());     // before max_entry_size_bytes, whose default is half of it
        positive(RING_BUFFER_SIZE, o.ringBufferSize());
        positive(FLUSH_INTERVAL_MS, o.flushIntervalMs());
        positive(MAX_ENTRY_SIZE_BYTES, o.maxEntrySizeBytes());
        positive(PREALLOCATE_CHUNK_BYTES, o.preallocateChunkBytes());
        positive(SYNC_PARALLELISM, o.syncParallelism());
        checkCodecLevel(o.codec(), o.codecLevel());
        if (o.slowSyncMs() < 0)
        {
            throw invalid(SLOW_SYNC_MS, "slow_sync_ms is " + o.slowSyncMs() + ": give 0 (never) or a positive " +
                "number of ms");
        }
        if (o.segmentMaxAgeMs() < 0)
        {
            throw invalid(SEGMENT_MAX_AGE_MS, "segment_max_age_ms is " + o.segmentMaxAgeMs() +
                ": give 0 (no age limit) or a positive number of ms");
        }
        checkSizes(o);
        if (o.stagingDir() == null)
        {
            throw invalid(STAGING_DIR, "staging_dir is missing: give a local directory");
        }
        checkRemoteAck(o);
        positive(UPLOAD_CONCURRENCY, o.uploadConcurrency());
        positive(UPLOAD_QUEUE_BYTES, o.uploadQueueBytes());
        positive(UPLOAD_RETRY_BASE_MS, o.uploadRetryBaseMs());
        positive(UPLOAD_CLOSE_TIMEOUT_MS, o.uploadCloseTimeoutMs());
        if (o.uploadRetryMaxMs() < o.uploadRetryBaseMs())
        {
            throw invalid(UPLOAD_RETRY_MAX_MS, "upload_retry_max_ms (" + o.uploadRetryMaxMs() +
                ") is below upload_retry_base_ms (" + o.uploadRetryBaseMs() + ")");
        }
        if (o.uploadConcurrency() > 256)
        {
            throw invalid(UPLOAD_CONCURRENCY, "upload_concurrency is " + o.uploadConcurrency() + ": give 1..256");
        }
        if (o.recycleSegments() < 0 || o.recycleSegments() > 64)
        {
            throw invalid(RECYCLE_SEGMENTS, "recycle_segments is " + o.recycleSegments() + ": give 0..64");
        }
        if (o.syncParallelism() > 64)
        {
            throw invalid(SYNC_PARALLELISM, "sync_parallelism is " + o.syncParallelism() + ": give 1..64");
        }
    }

    /** Before the options copy the list: a null entry is refused here, with its index. */
    static void checkUrls(final List<String> walUrls)
    {
        if (walUrls.isEmpty())
        {
            throw invalid(WAL_URLS, "wal_urls is empty: give at least one directory or URL");
        }
        for (int i = 0; i < walUrls.size(); i++)
        {
            final String url = walUrls.get(i);
            if (url == null || url.isBlank())
            {
                throw invalid(WAL_URLS, "wal_urls[" + i + "] is empty: give a directory or URL");
            }
            for (int j = 0; j < i; j++)
            {
                if (url.equals(walUrls.get(j)))
                {
                    throw invalid(WAL_URLS,
                        "wal_urls[" + i + "] repeats wal_urls[" + j + "] (" + url + "): each lane needs its own URL");
                }
            }
        }
    }

    private static void checkCodecLevel(final Codec codec, final int level)
    {
        if (level == 0)
        {
            return;
        }
        if (codec.maxLevel() == 0)
        {
            throw invalid(CODEC_LEVEL, "codec_level is " + level + ", but codec \"" + codec + "\" takes no level: " +
                "remove codec_level, or set it to 0");
        }
        if (level < 1 || level > codec.maxLevel())
        {
            throw invalid(CODEC_LEVEL, "codec_level is " + level + ": codec \"" + codec + "\" takes 1 to " +
                codec.maxLevel() + " (0 for its default, " + codec.defaultLevel() + ")");
        }
    }

    private static void checkSegmentSize(final long segment)
    {
        if (segment < WalOptions.MIN_SEGMENT_SIZE)
        {
            throw invalid(DISK_SEGMENT_SIZE,
                "disk_segment_size is " + segment + ": give at least " + WalOptions.MIN_SEGMENT_SIZE + " bytes");
        }
        if (segment > WalOptions.MAX_SEGMENT_SIZE)
        {
            throw invalid(DISK_SEGMENT_SIZE,
                "disk_segment_size is " + segment + ": give at most " + WalOptions.MAX_SEGMENT_SIZE + " bytes (1 GiB)");
        }
    }

    private static void checkSizes(final WalOptions o)
    {
        final long segment = o.diskSegmentSizeBytes();
        final int ring = o.ringBufferSize();
        if (Integer.bitCount(ring) != 1)
        {
            throw invalid(RING_BUFFER_SIZE, "ring_buffer_size is " + ring + ": give a power of two, e.g. " +
                Integer.highestOneBit(ring) + " or " + (Integer.highestOneBit(ring) << 1));
        }
        if (ring > WalOptions.MAX_RING_BUFFER_SIZE)
        {
            throw invalid(RING_BUFFER_SIZE, "ring_buffer_size is " + ring + ": give at most " +
                WalOptions.MAX_RING_BUFFER_SIZE + " slots (each is made when the lane opens)");
        }
        if (o.maxEntrySizeBytes() > segment / 2)
        {
            throw invalid(MAX_ENTRY_SIZE_BYTES, "max_entry_size_bytes (" + o.maxEntrySizeBytes() +
                ") must be at most half of disk_segment_size (" + segment + ")");
        }
        if (o.memoryFlushSizeBytes() > Integer.MAX_VALUE / 2)
        {
            throw invalid(MEMORY_FLUSH_SIZE_BYTES, "memory_flush_size_bytes is " + o.memoryFlushSizeBytes() +
                ": give at most " + Integer.MAX_VALUE / 2);
        }
    }

    private static void checkRemoteAck(final WalOptions o)
    {
        if (o.ack() == null)
        {
            throw invalid(ACK, "ack is missing: give local or remote");
        }
        if (o.ack() == AckMode.remote && o.segmentMaxAgeMs() == 0)
        {
            throw invalid(SEGMENT_MAX_AGE_MS, "segment_max_age_ms = 0 with ack = \"remote\" would let an " +
                "acknowledgement wait until a segment fills: give a positive age, e.g. 1000");
        }
        if (o.ack() == AckMode.remote && !o.syncMode().writesFiles())
        {
            throw invalid(ACK, "ack = \"remote\" needs files to upload: sync_mode " + o.syncMode() + " keeps none");
        }
    }

    private static void positive(final WalConfigKey key, final long value)
    {
        if (value <= 0)
        {
            throw invalid(key, key.key() + " is " + value + ": give a positive number");
        }
    }

    private static InvalidOptionException invalid(final WalConfigKey key, final String message)
    {
        return new InvalidOptionException(key, message);
    }
}
