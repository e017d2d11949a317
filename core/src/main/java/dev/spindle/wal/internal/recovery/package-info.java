/**
 * Recovery, run once by the opening thread before any lane starts: {@code LaneScanner} reads every lane
 * (sealed segments, {@code .open} tails, checkpoints, move records) changing nothing; {@code Recovery} merges in
 * what remote lanes hold, voids the copies move records void, finds gaps, decides the cuts, then repairs (cuts and seals tails through the segment
 * {@code Sealer}). Reads segments, never lanes.
 */
package dev.spindle.wal.internal.recovery;
