package dev.spindle.wal;

/**
 * How a collection (or, without affinity, an append) is given a lane.
 */
public enum DistributionStrategy
{
    /** Lanes in turn. */
    RoundRobin,
    /** A stable hash (CRC32C of the collection name's UTF-8 bytes) modulo the lane count. */
    Hash,
    /** The lane with the fewest bytes in flight (appended, not yet acknowledged); ties go to the lane with fewer bytes on disk. */
    LoadBalanced
}
