package dev.spindle.wal;

import java.util.List;

/**
 * What each lane did since the WAL opened, at one moment ({@link Wal#metrics()}): counts, distributions of
 * times and sizes, and gauges. Recorded by the lane thread (and the upload threads) without allocation or locks,
 * a few times per batch and never per entry, into HdrHistogram recorders that this snapshot reads from the calling
 * thread. Times are in nanoseconds.
 *
 * @param lanes one per {@code wal_urls} entry, in order.
 */
public record WalMetrics(List<Lane> lanes)
{
    /**
     * A distribution: how many values were recorded and their spread (3 significant digits).
     */
    public record Distribution(long count, double mean, long p50, long p90, long p99, long p999, long max)
    {
        public static final Distribution EMPTY = new Distribution(0, 0, 0, 0, 0, 0, 0);
    }

    /**
     * One lane.
     *
     * @param index its place in {@code wal_urls}.
     * @param url its URL as configured (a remote lane's; no secret is ever part of one).
     * @param failure why it failed, or null while it is healthy.
     * @param entries entries written.
     * @param batches batches committed (one group commit each).
     * @param bytes encoded bytes written into segments.
     * @param ringWait per batch: how long its oldest entry waited in the ring, from its copy into the ring (after
     *     any back-pressure wait of the append) until the lane thread took the batch.
     * @param batchEntries per batch: entries in it.
     * @param batchBytes per batch: encoded bytes in it.
     * @param encode per batch: from taking it until its blocks are closed (encoding, segment rolls), less the
     *     blocks written (and forced) in its middle ({@code Always}, {@code memory_flush_size_bytes}).
     * @param write per batch: writing its blocks (the pwrite, or the copy into the mapping), also those written
     *     in its middle.
     * @param sync per fsync (msync for mmap; several files forced together count once): its time. With
     *     {@code Always} one per entry, {@code PerBatch} one per batch, {@code Periodic} one per interval with
     *     writes, {@code Never} none (seals force).
     * @param commit per batch: its oldest entry's time from the append until the batch was committed, which is
     *     when it is durable with {@code Always} and {@code PerBatch} (acknowledged then, unless it waits for
     *     another lane) and written with {@code Periodic} and {@code Never}.
     * @param seal per sealed segment: truncating, renaming, syncing the directory, and forcing what it held unsynced
     *     when it is sealed at once (a segment that waits for other lanes, or under {@code Never} for its
     *     background force, was forced before).
     * @param uploadLag per uploaded segment of a remote lane: from its seal until it was in object storage.
     * @param uploads segments uploaded.
     * @param uploadedBytes bytes uploaded.
     * @param uploadRetries upload attempts that failed and were tried again.
     * @param pendingUploadBytes bytes of sealed segments waiting for or in upload (staged, not yet remote).
     * @param inFlightBytes bytes appended to this lane and not yet written (what counts against
     *     {@code global_flush_threshold}).
     * @param slow the lane's fsync p99 over the last minute is above {@code slow_sync_ms} (over at least 10
     *     fsyncs), as of the timer's last tick (at most a second ago).
     * @param syncP99LastMinute that p99, in nanoseconds (0: no fsync in the last minute).
     */
    public record Lane(int index, String url, String failure, long entries, long batches, long bytes,
                       Distribution ringWait, Distribution batchEntries, Distribution batchBytes,
                       Distribution encode, Distribution write, Distribution sync, Distribution commit,
                       Distribution seal, Distribution uploadLag, long uploads, long uploadedBytes,
                       long uploadRetries, long pendingUploadBytes, long inFlightBytes, boolean slow,
                       long syncP99LastMinute)
    {
        public boolean failed()
        {
            return failure != null;
        }
    }

    /**
     * A lane's metrics as its writer published them for other processes ({@link WalReader#publishedMetrics()}):
     * rewritten about every second while the WAL is open, and once more at close.
     *
     * @param writtenMillis when (epoch milliseconds).
     * @param pid the writer's process.
     * @param open whether the WAL was still open then (false: the last words of a close).
     * @param lane the metrics.
     */
    public record Published(long writtenMillis, long pid, boolean open, Lane lane)
    {
        /** @return whether a writer is publishing now: open, and written in the last 5 seconds. */
        public boolean live()
        {
            return open && System.currentTimeMillis() - writtenMillis < 5_000;
        }
    }
}
