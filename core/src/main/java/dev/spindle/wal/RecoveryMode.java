package dev.spindle.wal;

/**
 * What recovery does with corruption found before the tail of an active segment.
 */
public enum RecoveryMode
{
    /** Refuse to open: the error names the file and byte offset. A torn tail is still cut silently. */
    strict,
    /** Cut the segment at the corruption, log what was dropped (file, offset, bytes) and go on. */
    lenient
}
