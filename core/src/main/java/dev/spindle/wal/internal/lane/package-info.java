/**
 * Lanes: the write path from the producer's call to the acknowledgement.
 *
 * <p>Producer threads run {@code Appender} (bound, back-pressure, {@code Router}, claim a ring slot, copy,
 * publish) and {@code WatermarkWaits}. Each {@code Lane} has one thread that owns all its state: its
 * {@code BatchWriter} encodes slots into the active segments ({@code SegmentManager}), group-commits with
 * {@code ParallelForcer}, publishes watermarks in {@code CollectionState}, completes futures, and hands full
 * segments to {@code Sealing}. Other threads hand the lane thread work through its ring (ticks, failures).
 * The lane's {@code StagingPool} (held by {@code SegmentManager}) is lane-thread state like the rest: it lends
 * a pwrite segment a buffer per open block, takes it back at the block's write, and frees the spares not needed
 * lately at the timer tick; so the direct memory of a lane follows its open blocks, not its collections.
 * {@code Retention} (checkpoints), {@code LiveReplay} and {@code LiveStats} run on the caller's thread and read
 * only what the lane publishes to readers (sealed maps, volatile fields).
 */
package dev.spindle.wal.internal.lane;
