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
 *
 * <p>A collection (affinity) whose lane failed moves on a producer's thread, in {@code Router} under the router's
 * lock: the producer writes the move record into the new lane's collection directory (a remote lane's: in its
 * staging), as the caller's thread writes checkpoints, before any entry is published there, and restarts the
 * collection's counters in
 * {@code CollectionState} under the collection's lock. It changes no state of either lane: the failed lane's
 * thread no longer writes the collection's counters, and the new lane's thread registers the collection at its
 * first entry as for any new one. An appender that finds its lane failed under the collection's lock takes no
 * sequence there. A failed remote lane's collections move only when its staging failed ({@code Lane} tells a
 * failure handed over from the object store apart), under {@code ack = "local"}, after one listing of the
 * prefix's writer epochs shows this writer not fenced; that request to the store is the one I/O besides the
 * record, once per collection and failure, never on the steady-state path.
 */
package dev.spindle.wal.internal.lane;
