/**
 * Replay: {@code SegmentRef}s (local, in memory, or in object storage through the SPI) read by
 * {@code SegmentCursor}s and merged in sequence order by {@code MergedReplay}. A replay belongs to the thread
 * that iterates it; it reads only sealed files and the published part of active ones.
 */
package dev.spindle.wal.internal.replay;
