package dev.spindle.wal.internal.segment;

import dev.spindle.fs.Directories;
import dev.spindle.wal.internal.segment.FileSync;
import org.agrona.BufferUtil;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * An active segment written the pwrite way: each block is encoded into an off-heap buffer (reused,
 * block after block) and handed to the file with positional writes; {@link #force()} is
 * {@code force(false)} (fdatasync). On these virtual machines this is about twice as fast as the mapped
 * path when durable (see PERF-NOTES.md). Also serves {@code MemoryOnly} over a {@link MemoryChannel}.
 */
public final class PwriteSegment extends ActiveSegment
{
    private final SegmentChannel channel;
    private final boolean onDisk;
    private final Preallocation preallocation;
    private ByteBuffer staging;

    /**
     * @param channel the new file, holding just the header.
     * @param staging an off-heap buffer owned by the lane (reused across segments); may be replaced by a larger one.
     * @param onDisk false for a {@link MemoryChannel}: no rename, no directory fsync.
     * @param preallocation keeps the file zero-filled and synced ahead of the writes, or null.
     */
    public PwriteSegment(final Path path, final SegmentChannel channel, final long firstSequence, final byte[] sync,
        final long limit, final int headerLength, final ByteBuffer staging, final boolean onDisk,
        final java.util.concurrent.atomic.AtomicLong stored, final Preallocation preallocation)
    {
        super(path, firstSequence, sync, limit, headerLength, stored);
        this.channel = channel;
        this.staging = staging;
        this.onDisk = onDisk;
        this.preallocation = preallocation;
        this.durablePosition = headerLength;
        wrapStaging();
    }

    private void wrapStaging()
    {
        view = staging;
        window.wrap(staging);
    }

    /**
     * @return the staging buffer, which may have grown; the lane keeps it for the next segment.
     */
    public ByteBuffer staging()
    {
        return staging;
    }

    @Override
    protected long windowEnd()
    {
        return windowBase + staging.capacity();
    }

    @Override
    protected boolean growWindow(final long needEnd, final boolean blockEmpty)
    {
        // grow, keeping the open block (copied): one block per collection per batch, so in PerBatch a
        // file never holds two unforced blocks (recovery relies on it to tell a torn tail from corruption)
        final long need = needEnd - windowBase;
        final ByteBuffer bigger = BufferUtil.allocateDirectAligned(
            (int)Math.max(need, Math.min(Integer.MAX_VALUE / 2, staging.capacity() * 2L)), 4096);
        final ByteBuffer used = staging.duplicate();
        used.clear().limit((int)Math.min(staging.capacity(), need));
        bigger.put(used).clear();
        staging = bigger;
        wrapStaging();
        return true;
    }

    @Override
    protected void startWindowAt(final long position)
    {
        windowBase = position;
    }

    @Override
    protected void afterAppend(final long position) throws IOException
    {
        if (preallocation != null)
        {
            preallocation.keepAhead(position);
        }
    }

    @Override
    protected void commit(final long from, final long to) throws IOException
    {
        if (preallocation != null)
        {
            preallocation.ensure(to);
        }
        final int at = (int)(from - windowBase);
        staging.limit(at + (int)(to - from)).position(at);
        try
        {
            long position = from;
            while (staging.hasRemaining())
            {
                position += channel.write(staging, position);
            }
        }
        finally
        {
            staging.clear();
        }
    }

    @Override
    public void force() throws IOException
    {
        channel.force(false);
    }

    @Override
    protected void sealFile(final long length, final Path sealedPath) throws IOException
    {
        if (preallocation != null)
        {
            preallocation.release();
        }
        if (onDisk)
        {
            Sealer.seal(channel, length, path, sealedPath);
        }
        else
        {
            channel.truncate(length);    // MemoryOnly: the segment manager renames it in the memory store
            channel.close();
        }
    }

    @Override
    protected void discardFile() throws IOException
    {
        if (preallocation != null)
        {
            preallocation.release();
        }
        channel.close();
        if (onDisk)
        {
            Sealer.delete(path);
        }
    }

    @Override
    public void abandon()
    {
        if (preallocation != null)
        {
            preallocation.release();
        }
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // the lane has failed already; recovery reads what is on disk
        }
    }

    /**
     * Create a new pwrite segment: a new file, or a recycled one, with the header written and the directory
     * entry durable.
     *
     * @param file the file at {@code path} with {@code header} written: a freed file renamed and rewritten, or a new one.
     */
    public static PwriteSegment create(final Path path, final byte[] header, final long firstSequence,
        final byte[] sync, final long limit, final ByteBuffer staging, final java.util.concurrent.atomic.AtomicLong stored,
        final Preallocator preallocator, final long chunk, final SegmentPool.Recycled file) throws IOException
    {
        final java.nio.channels.FileChannel channel = file.channel();
        try
        {
            final long written = Math.max(header.length, file.size());
            final Preallocation preallocation = preallocator == null ? null :
                new Preallocation(path, channel, preallocator, chunk, limit, written, true);
            final PwriteSegment segment = new PwriteSegment(path, SegmentChannel.of(channel), firstSequence, sync, limit,
                header.length, staging, true, stored, preallocation);
            if (preallocation != null)
            {
                preallocation.requestAhead(header.length);
            }
            return segment;
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
    }

    /**
     * Create the file of a new pwrite segment: header written and the directory entry durable.
     */
    public static java.nio.channels.FileChannel createFile(final Path path, final byte[] header) throws IOException
    {
        final java.nio.channels.FileChannel channel;
        try
        {
            channel = java.nio.channels.FileChannel.open(path, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE);
        }
        catch (final java.nio.file.FileAlreadyExistsException ex)
        {
            throw new IOException(path + " exists already (a file or link Spindle did not make there, which recovery " +
                "left alone): a new segment never replaces or follows one", ex);
        }
        try
        {
            FileSync.writeFully(channel, ByteBuffer.wrap(header), 0);
            Directories.fsync(path.getParent());
            return channel;
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
    }
}
