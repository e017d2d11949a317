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
     */
    public record LaneStats(int index, String url, String directory, String failure, long inFlightBytes,
                            List<CollectionStats> collections)
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
     */
    public record CollectionStats(String collection, int sealedSegments, int activeSegments, long bytes,
                                  long firstSequence, long laneSequence, long acknowledgedSequence,
                                  long durableSequence, long checkpointSequence)
    {
    }
}
