package dev.spindle.wal.internal.segment;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The positional file operations a pwrite segment and a segment reader need. A {@link FileChannel}
 * on disk, or a {@link MemoryChannel} for {@code sync_mode = "MemoryOnly"}, so both share one writer
 * and one reader.
 */
public interface SegmentChannel extends Closeable
{
    int write(ByteBuffer source, long position) throws IOException;

    int read(ByteBuffer destination, long position) throws IOException;

    long size() throws IOException;

    void truncate(long size) throws IOException;

    /**
     * @param metadata true for fsync (size and times too), false for fdatasync.
     */
    void force(boolean metadata) throws IOException;

    /**
     * Read {@code destination.remaining()} bytes at {@code position}, or fewer at end of file.
     *
     * @return the bytes read.
     */
    default int readFully(final ByteBuffer destination, final long position) throws IOException
    {
        int total = 0;
        while (destination.hasRemaining())
        {
            final int n = read(destination, position + total);
            if (n < 0)
            {
                break;
            }
            total += n;
        }
        return total;
    }

    /**
     * @return a channel over an open {@link FileChannel}.
     */
    static SegmentChannel of(final FileChannel channel)
    {
        return new SegmentChannel()
        {
            @Override
            public int write(final ByteBuffer source, final long position) throws IOException
            {
                return channel.write(source, position);
            }

            @Override
            public int read(final ByteBuffer destination, final long position) throws IOException
            {
                return channel.read(destination, position);
            }

            @Override
            public long size() throws IOException
            {
                return channel.size();
            }

            @Override
            public void truncate(final long size) throws IOException
            {
                channel.truncate(size);
            }

            @Override
            public void force(final boolean metadata) throws IOException
            {
                channel.force(metadata);
            }

            @Override
            public void close() throws IOException
            {
                channel.close();
            }
        };
    }
}
