package dev.spindle.wal;

/**
 * How the batch writer puts bytes into the active segment. Both produce the same file format.
 */
public enum IoMode
{
    /** Encode straight into the memory-mapped, preallocated segment; force the dirty range (msync). */
    mmap,
    /** Encode into an off-heap buffer, positional {@code FileChannel} writes, {@code force(false)} (fdatasync). */
    pwrite
}
