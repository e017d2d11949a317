/**
 * Lanes: the write path from the producer's call to the acknowledgement.
 *
 * <p>Producer threads run {@code Appender} (bound, back-pressure, {@code Router}, claim a ring slot, copy,
 * publish) and {@code WatermarkWaits}. Each {@code Lane} has one thread that owns all its state: its
 * {@code BatchWriter} encodes slots into the active segments ({@code SegmentManager}), group-commits with
 * {@code ParallelForcer}, publishes watermarks in {@code CollectionState}, completes futures, and hands full
 * segments to {@code Sealing}. Other threads hand the lane thread work through its ring (ticks, failures).
 * {@code Retention} (checkpoints), {@code LiveReplay} and {@code LiveStats} run on the caller's thread and read
 * only what the lane publishes to readers (sealed maps, volatile fields).
 */
package dev.spindle.wal.internal.lane;
