package dev.spindle.wal.internal.remote;

import dev.spindle.fs.WalFileSystem;
import dev.spindle.wal.internal.segment.SegmentChannel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A sealed segment in object storage, read through ranged reads with a read-ahead window, so replay streams
 * a remote segment block by block without a local copy. Read-only.
 */
public final class RemoteChannel implements SegmentChannel
{
    public static final int WINDOW = 4 * 1024 * 1024;

    private final WalFileSystem fs;
    private final String key;
    private final long size;
    private final ByteBuffer window;
    private long windowStart = -1;

    /**
     * @throws NoSuchFileException when the object is gone (deleted by a checkpoint meanwhile).
     */
    public RemoteChannel(final WalFileSystem fs, final String key) throws IOException
    {
        this(fs, key, WINDOW);
    }

    /**
     * @param window bytes read ahead per request (a header's reader needs no more than a header).
     * @throws NoSuchFileException when the object is gone.
     */
    public RemoteChannel(final WalFileSystem fs, final String key, final int window) throws IOException
    {
        this.window = ByteBuffer.allocate(window);
        this.fs = fs;
        this.key = key;
        this.size = fs.size(key);
        if (size < 0)
        {
            throw new NoSuchFileException(key);
        }
    }

    @Override
    public int read(final ByteBuffer destination, final long position) throws IOException
    {
        if (position >= size)
        {
            return -1;
        }
        if (windowStart < 0 || position < windowStart || position >= windowStart + window.limit())
        {
            fill(position);
        }
        final int offset = (int)(position - windowStart);
        final int n = Math.min(destination.remaining(), window.limit() - offset);
        destination.put(destination.position(), window, offset, n);
        destination.position(destination.position() + n);
        return n;
    }

    private void fill(final long position) throws IOException
    {
        window.clear();
        window.limit((int)Math.min(window.capacity(), size - position));
        int total = 0;
        while (window.hasRemaining())
        {
            final int n = fs.read(key, position + total, window);
            if (n <= 0)
            {
                break;
            }
            total += n;
        }
        window.flip();
        if (window.limit() == 0)
        {
            throw new IOException("remote segment " + key + " ended at " + position + ", its size is " + size);
        }
        windowStart = position;
    }

    @Override
    public long size()
    {
        return size;
    }

    @Override
    public int write(final ByteBuffer source, final long position)
    {
        throw new UnsupportedOperationException("remote segments are read-only");
    }

    @Override
    public void truncate(final long size)
    {
        throw new UnsupportedOperationException("remote segments are read-only");
    }

    @Override
    public void force(final boolean metadata)
    {
        // nothing to force
    }

    @Override
    public void close()
    {
        // the file system stays open: it belongs to the lane
    }

    /**
     * @return whether this object holds exactly the first {@code size} bytes of {@code file}, read a window
     *     at a time from both.
     */
    public boolean sameBytesAs(final Path file, final long size) throws IOException
    {
        try (FileChannel local = FileChannel.open(file))
        {
            final ByteBuffer a = ByteBuffer.allocate(WINDOW);
            final ByteBuffer b = ByteBuffer.allocate(WINDOW);
            long at = 0;
            while (at < size)
            {
                a.clear();
                b.clear();
                final int n = (int)Math.min(WINDOW, size - at);
                a.limit(n);
                b.limit(n);
                if (readFully(a, at) != n || local.read(b, at) < 0)
                {
                    return false;
                }
                while (b.hasRemaining() && local.read(b, at + b.position()) > 0)
                {
                    // fill
                }
                a.flip();
                b.flip();
                if (!a.equals(b))
                {
                    return false;
                }
                at += n;
            }
            return true;
        }
    }
}
