package dev.spindle.wal.internal.lane;

import dev.spindle.wal.WalMetrics;
import dev.spindle.wal.internal.metrics.RecordedDistribution;
import dev.spindle.wal.internal.upload.RemoteLane;

/**
 * The metrics of one lane's thread, recorded where things happen and read from any thread ({@link #snapshot}):
 * {@link RecordedDistribution}s and counters only the lane thread writes (the closing thread too, once the lane
 * thread stopped). What its uploads did, the lane's {@link RemoteLane} counts.
 */
final class LaneMetrics
{
    private final RecordedDistribution ringWait = new RecordedDistribution(true);
    private final RecordedDistribution batchEntries = new RecordedDistribution(true);
    private final RecordedDistribution batchBytes = new RecordedDistribution(true);
    private final RecordedDistribution encode = new RecordedDistribution(true);
    private final RecordedDistribution write = new RecordedDistribution(true);
    private final RecordedDistribution sync = new RecordedDistribution(true);
    private final RecordedDistribution commit = new RecordedDistribution(true);
    private final RecordedDistribution seal = new RecordedDistribution(true);
    private final SlowSync slowSync;
    /** One writer (a plain read-modify-write of its own counter), readers: volatile for visibility. */
    private volatile long entries;
    private volatile long batches;
    private volatile long bytes;

    LaneMetrics(final String lane, final long slowSyncMs)
    {
        this.slowSync = new SlowSync(lane, slowSyncMs);
    }

    /**
     * Lane thread: a batch committed. Per-entry times are taken from its oldest entry (the first), the one that
     * waited longest: a few recordings per batch, never per entry.
     */
    void batch(final int entriesInBatch, final long bytesInBatch, final long ringWaitNanos, final long encodeNanos,
        final long writeNanos, final long commitNanos)
    {
        entries += entriesInBatch;
        batches++;
        bytes += bytesInBatch;
        batchEntries.record(entriesInBatch);
        batchBytes.record(bytesInBatch);
        ringWait.record(ringWaitNanos);
        encode.record(encodeNanos);
        write.record(writeNanos);
        commit.record(commitNanos);
    }

    /** Lane thread: one fsync (or msync), of one or more files forced together. */
    void sync(final long nanos)
    {
        sync.record(nanos);
        slowSync.record(nanos);
    }

    /** @return whether the lane's disk is slow ({@link SlowSync}). */
    SlowSync slowSync()
    {
        return slowSync;
    }

    /** Lane thread (or the closing thread once the lane thread stopped): a segment sealed. */
    void seal(final long nanos)
    {
        seal.record(nanos);
    }

    /**
     * @param remote the lane's uploads, or null for a local lane.
     * @return what the lane did so far; any thread.
     */
    WalMetrics.Lane snapshot(final int index, final String url, final Throwable failure, final RemoteLane remote,
        final long inFlightBytes)
    {
        return new WalMetrics.Lane(index, url, failure == null ? null : String.valueOf(failure.getMessage()),
            entries, batches, bytes, ringWait.read(), batchEntries.read(), batchBytes.read(), encode.read(),
            write.read(), sync.read(), commit.read(), seal.read(),
            remote == null ? WalMetrics.Distribution.EMPTY : remote.lagDistribution(),
            remote == null ? 0 : remote.uploadedSegments(), remote == null ? 0 : remote.uploadedBytes(),
            remote == null ? 0 : remote.failedAttempts(), remote == null ? 0 : remote.pendingBytes(), inFlightBytes,
            slowSync.slow(), slowSync.p99LastMinute());
    }
}
