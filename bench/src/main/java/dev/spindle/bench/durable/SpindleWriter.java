package dev.spindle.bench.durable;

import dev.spindle.wal.Entry;
import dev.spindle.wal.IoMode;
import dev.spindle.wal.Op;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.Wal;
import dev.spindle.wal.WalCollection;
import dev.spindle.wal.WalOptions;

import dev.spindle.bench.BenchFiles;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * Spindle as an embedder uses it: one lane, one collection, {@code sync_mode = PerBatch} (an entry is
 * acknowledged once its batch is fdatasync'd or msync'd), {@code memory_flush_size_bytes} = 1 MiB, everything
 * else default. With {@code checkpointed}, the producer also checkpoints the collection at its acknowledged
 * sequence each time it has appended a segment's worth (64 MiB), as an embedder does once it has flushed what
 * the log covers: the freed segments are then recycled (overwritten as new segments) instead of each segment
 * being a new file. The checkpoint's cost (a file written, fsync'd and renamed) is on the measured thread. {@link #append} returns once the entry is copied into the lane's ring, as
 * {@code WalCollection.append} does; the ring's back-pressure holds the producer to the rate at which the lane
 * makes entries durable, so in steady state appends per second are acknowledgements per second.
 */
public final class SpindleWriter implements DurableWriter
{
    private final Wal wal;
    private final WalCollection collection;
    private final Entry entry = new Entry();
    /** The directory this writer made and deletes on close, or null. */
    private final Path owned;
    private final boolean checkpointed;
    private long sinceCheckpoint;

    public SpindleWriter(final Path dir, final IoMode ioMode, final boolean checkpointed)
    {
        this(WalOptions.builder().walUrls(dir.resolve("lane0").toString()).ioMode(ioMode).syncMode(SyncMode.PerBatch)
            .memoryFlushSizeBytes(SYNC_BYTES).diskSegmentSizeBytes(FILE_BYTES).build(), null, checkpointed);
    }

    private SpindleWriter(final WalOptions options, final Path owned, final boolean checkpointed)
    {
        this.owned = owned;
        this.checkpointed = checkpointed;
        wal = Wal.open(options);
        collection = wal.collection("bench");
    }

    /**
     * A writer on one lane in a fresh benchmark directory ({@code BenchFiles}), deleted when the writer closes.
     *
     * @param tune the options beyond the lane (sync_mode, io_mode, ...).
     */
    public static SpindleWriter fresh(final String name, final UnaryOperator<WalOptions.Builder> tune)
    {
        final Path dir = BenchFiles.fresh(name + "-");
        return new SpindleWriter(tune.apply(WalOptions.builder().walUrls(dir.resolve("lane0").toString())).build(), dir,
            false);
    }

    @Override
    public void append(final byte[] key, final byte[] value)
    {
        appendEntry(key, value);
        if (checkpointed && (sinceCheckpoint += key.length + value.length) >= FILE_BYTES)
        {
            sinceCheckpoint = 0;
            collection.checkpoint(collection.acknowledgedSequence());
        }
    }

    /**
     * @return the entry's sequence.
     */
    public long appendEntry(final byte[] key, final byte[] value)
    {
        entry.clear().op(Op.INSERT).key(key).value(value);
        return collection.append(entry);
    }

    /**
     * @return the future the lane thread completes when the entry is acknowledged.
     */
    public CompletableFuture<Long> appendAsync(final byte[] key, final byte[] value)
    {
        entry.clear().op(Op.INSERT).key(key).value(value);
        return collection.appendAsync(entry);
    }

    /**
     * Wait until everything appended is acknowledged.
     */
    public void awaitAll()
    {
        collection.awaitAcknowledged(collection.lastSequence());
    }

    public WalCollection collection()
    {
        return collection;
    }

    /**
     * @return 0: Spindle's lane decides when to sync (each batch's end, and each MiB within a batch).
     */
    @Override
    public long syncs()
    {
        return 0;
    }

    @Override
    public void close()
    {
        wal.close();
        if (owned != null)
        {
            BenchFiles.delete(owned);
        }
    }
}
