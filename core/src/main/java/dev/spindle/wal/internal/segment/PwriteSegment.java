package dev.spindle.wal.internal.segment;

import dev.spindle.fs.Directories;
import dev.spindle.wal.internal.segment.FileSync;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * An active segment written the pwrite way: each block is encoded into an off-heap buffer and handed to the
 * file with positional writes; {@link #force()} is {@code force(false)} (fdatasync). On these virtual machines
 * this is about twice as fast as the mapped path when durable (see PERF-NOTES.md). Also serves
 * {@code MemoryOnly} over a {@link MemoryChannel}.
 *
 * <p>The buffer is borrowed from the lane's {@link StagingPool} when a block opens and given back as soon as the
 * block is written: readers of the segment read the file, never the buffer, so a segment between blocks holds no
 * memory, and a lane's many collections share a few buffers.
 */
public final class PwriteSegment extends ActiveSegment
{
    private final SegmentChannel channel;
    private final boolean onDisk;
    private final Preallocation preallocation;
    private final StagingPool pool;
    /** The buffer of the open block, lent by {@link #pool}; null between blocks. */
    private StagingPool.Buffer staging;

    /**
     * @param channel the new file, holding just the header.
     * @param pool the lane's staging buffers: one is borrowed for each block while it is open.
     * @param onDisk false for a {@link MemoryChannel}: no rename, no directory fsync.
     * @param preallocation keeps the file zero-filled and synced ahead of the writes, or null.
     * @param codec the lane's block codec, or null.
     */
    public PwriteSegment(final Path path, final SegmentChannel channel, final long firstSequence, final byte[] sync,
        final long limit, final int headerLength, final StagingPool pool, final boolean onDisk,
        final java.util.concurrent.atomic.AtomicLong stored, final Preallocation preallocation, final BlockCodec codec)
    {
        super(path, firstSequence, sync, limit, headerLength, stored, codec);
        this.channel = channel;
        this.pool = pool;
        this.onDisk = onDisk;
        this.preallocation = preallocation;
        this.durablePosition = headerLength;
    }

    private void lend(final StagingPool.Buffer buffer)
    {
        staging = buffer;
        view = buffer.memory;
        window.wrap(buffer.memory);
    }

    @Override
    protected void blockClosed()
    {
        if (staging != null)
        {
            pool.give(staging);
            drop();
        }
    }

    /** Forget the buffer: nothing here may touch it once another segment can borrow it. */
    private void drop()
    {
        staging = null;
        view = null;
        window.wrap(0, 0);
    }

    @Override
    protected long windowEnd()
    {
        return staging == null ? windowBase : windowBase + staging.capacity();
    }

    @Override
    protected boolean growWindow(final long needEnd, final boolean blockEmpty)
    {
        // grow, keeping the open block (copied): one block per collection per batch, so in PerBatch a
        // file never holds two unforced blocks (recovery relies on it to tell a torn tail from corruption)
        final long need = needEnd - windowBase;
        lend(pool.grow(staging, need, (int)Math.min(staging.capacity(), need)));
        return true;
    }

    @Override
    protected void startWindowAt(final long position)
    {
        windowBase = position;
        if (staging == null)
        {
            lend(pool.take());
        }
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
        final ByteBuffer memory = staging.memory;
        final int at = (int)(from - windowBase);
        memory.limit(at + (int)(to - from)).position(at);
        try
        {
            long position = from;
            while (memory.hasRemaining())
            {
                position += channel.write(memory, position);
            }
        }
        finally
        {
            memory.clear();
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
        if (staging != null)
        {
            drop();   // the lane failed: its pool is not used again, and the garbage collector frees the buffer
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
        final byte[] sync, final long limit, final StagingPool pool, final java.util.concurrent.atomic.AtomicLong stored,
        final Preallocator preallocator, final long chunk, final SegmentPool.Recycled file, final BlockCodec codec)
        throws IOException
    {
        final java.nio.channels.FileChannel channel = file.channel();
        try
        {
            final long written = Math.max(header.length, file.size());
            final Preallocation preallocation = preallocator == null ? null :
                new Preallocation(path, channel, preallocator, chunk, limit, written, true);
            final PwriteSegment segment = new PwriteSegment(path, SegmentChannel.of(channel), firstSequence, sync, limit,
                header.length, pool, true, stored, preallocation, codec);
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
