package dev.spindle.wal;

import java.util.List;

/**
 * A snapshot of what each lane holds, for {@code spindle stats} and monitoring.
 *
 * @param lanes one entry per {@code wal_urls} entry, in order.
 */
public record WalStats(List<LaneStats> lanes)
{
    /**
     * @param index position in {@code wal_urls}.
     * @param url the URL as configured.
     * @param directory the lane's local directory.
     * @param failure why the lane failed, or null while healthy.
     * @param inFlightBytes bytes appended and not yet acknowledged.
     * @param collections the collections with data in this lane.
     * @param upload for a remote lane, its uploads; null for a local lane.
     */
    public record LaneStats(int index, String url, String directory, String failure, long inFlightBytes,
                            List<CollectionStats> collections, UploadStats upload)
    {
        public LaneStats(final int index, final String url, final String directory, final String failure,
            final long inFlightBytes, final List<CollectionStats> collections)
        {
            this(index, url, directory, failure, inFlightBytes, collections, null);
        }
    }

    /**
     * The uploads of a remote lane.
     *
     * @param pendingSegments sealed segments in staging not yet in object storage.
     * @param pendingBytes their bytes (appenders wait above {@code upload_queue_bytes}).
     * @param oldestPendingMs how long ago the oldest of them was sealed (0: none).
     * @param uploadedSegments segments uploaded since the WAL opened.
     * @param uploadedBytes their bytes.
     * @param failedAttempts failed upload attempts since the WAL opened (each was retried).
     * @param lagP50Ms median upload lag (seal to verified upload) of the recent uploads.
     * @param lagP99Ms 99th percentile of the same.
     * @param lastError the last failure while uploads are failing, or null.
     * @param writerEpoch the writer epoch this writer holds in the prefix (live), or the newest one claimed
     *     there (offline); 0: none (README "Fencing").
     */
    public record UploadStats(int pendingSegments, long pendingBytes, long oldestPendingMs, long uploadedSegments,
                              long uploadedBytes, long failedAttempts, long lagP50Ms, long lagP99Ms, String lastError,
                              long writerEpoch)
    {
    }

    /**
     * @param collection the name.
     * @param sealedSegments sealed segment files in this lane.
     * @param activeSegments open segment files in this lane (the active one and full ones waiting to be sealed).
     * @param bytes bytes of those files (active ones up to what readers may see).
     * @param firstSequence the lowest sequence still held in this lane (0: none).
     * @param laneSequence the highest sequence this lane holds.
     * @param acknowledgedSequence the collection's acknowledged watermark (all lanes).
     * @param durableSequence the collection's durable watermark (all lanes).
     * @param checkpointSequence the collection's checkpoint.
     * @param remoteDurableSequence the collection's remote-durable watermark (all lanes): every entry up to it is
     *     in its final storage (object storage for remote lanes, the disk for local ones).
     * @param uploadedSegments for a remote lane, the sealed segments of this collection in object storage.
     */
    public record CollectionStats(String collection, int sealedSegments, int activeSegments, long bytes,
                                  long firstSequence, long laneSequence, long acknowledgedSequence,
                                  long durableSequence, long checkpointSequence, long remoteDurableSequence,
                                  int uploadedSegments)
    {
        public CollectionStats(final String collection, final int sealedSegments, final int activeSegments,
            final long bytes, final long firstSequence, final long laneSequence, final long acknowledgedSequence,
            final long durableSequence, final long checkpointSequence)
        {
            this(collection, sealedSegments, activeSegments, bytes, firstSequence, laneSequence, acknowledgedSequence,
                durableSequence, checkpointSequence, durableSequence, 0);
        }
    }
}
