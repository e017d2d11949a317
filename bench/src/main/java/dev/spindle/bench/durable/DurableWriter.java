package dev.spindle.bench.durable;

import dev.spindle.wal.WalOptions;

import java.io.Closeable;
import java.io.IOException;

/**
 * A log writer under test: appends entries and makes them durable once per {@link #SYNC_BYTES} appended.
 * Closing it makes everything durable. Not thread-safe.
 */
public interface DurableWriter extends Closeable
{
    /** Bytes appended between two syncs: Spindle's default {@code memory_flush_size_bytes}. */
    long SYNC_BYTES = WalOptions.DEFAULT_MEMORY_FLUSH_SIZE_BYTES;

    /** Size at which file-based peers start a new file: Spindle's default {@code disk_segment_size}. */
    long FILE_BYTES = WalOptions.DEFAULT_DISK_SEGMENT_SIZE;

    void append(byte[] key, byte[] value) throws IOException;

    /**
     * @return how many syncs this writer has issued (for tests of the writers themselves).
     */
    long syncs();
}
