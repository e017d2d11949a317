package dev.spindle.wal.internal.segment;

import org.agrona.IoUtil;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * An active segment written the mmap way: entries are encoded straight into a {@link MappedByteBuffer}
 * of the file; {@link #force()} msyncs the dirty range.
 *
 * <p>Invariant 4: the mapping only ever covers bytes the {@link Preallocator} has already written
 * (zeros), never a sparse extension, so the lane never touches a page without disk blocks. The
 * mapping is [0, allocated) and is remapped as the preallocated length grows, a chunk at a time.
 */
public final class MappedSegment extends ActiveSegment
{
    private final Preallocation preallocation;
    private final FileChannel channel;
    private MappedByteBuffer mapped;
    private long mappedLength;

    private MappedSegment(final Path path, final FileChannel channel, final long firstSequence, final byte[] sync,
        final long limit, final int headerLength, final long written, final Preallocator preallocator,
        final long chunk, final java.util.concurrent.atomic.AtomicLong stored, final BlockCodec codec)
    {
        super(path, firstSequence, sync, limit, headerLength, stored, codec);
        this.channel = channel;
        // zeros written, not synced: the blocks exist (no SIGBUS on a full disk), and the msync of a commit
        // writes the data pages back and commits the file size that writeback sets. Syncing the zeros
        // too cost a fifth of the throughput (270 against 343 MB/s at 4 KiB) and the power-loss test
        // shows no need for it.
        this.preallocation = new Preallocation(path, channel, preallocator, chunk, limit, written, false);
        this.durablePosition = 0; // the first msync covers the header's page too
    }

    /**
     * Create a new mapped segment: a new file, or a recycled one (whose blocks all exist already), header
     * written, first chunk preallocated, directory entry durable.
     *
     * @param file the file at {@code path} with {@code header} written: a freed file renamed and rewritten, or a new one.
     */
    public static MappedSegment create(final Path path, final byte[] header, final long firstSequence,
        final byte[] sync, final long limit, final Preallocator preallocator, final long chunk,
        final java.util.concurrent.atomic.AtomicLong stored, final SegmentPool.Recycled file, final BlockCodec codec)
        throws IOException
    {
        final FileChannel channel = file.channel();
        try
        {
            final long written = Math.max(header.length, file.size());
            final MappedSegment segment = new MappedSegment(path, channel, firstSequence, sync, limit, header.length,
                written, preallocator, chunk, stored, codec);
            segment.preallocation.requestAhead(header.length);
            return segment;
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
    }

    @Override
    protected long windowEnd()
    {
        return mappedLength;
    }

    @Override
    protected boolean growWindow(final long needEnd, final boolean blockEmpty) throws IOException
    {
        preallocation.ensure(needEnd);
        remap(preallocation.allocated());
        return true;
    }

    @Override
    protected void afterAppend(final long position) throws IOException
    {
        preallocation.keepAhead(position);
    }

    private void remap(final long length) throws IOException
    {
        if (length <= mappedLength)
        {
            return;
        }
        final MappedByteBuffer previous = mapped;
        mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, length);
        mappedLength = length;
        view = mapped;
        window.wrap(mapped);
        if (previous != null)
        {
            IoUtil.unmap(previous);
        }
    }

    @Override
    protected void startWindowAt(final long position)
    {
        windowBase = 0;
    }

    @Override
    protected void commit(final long from, final long to)
    {
        // the bytes are in the mapping already
    }

    @Override
    public void force()
    {
        final long from = durablePosition;
        final long to = writePosition;
        if (to > from && mapped != null)
        {
            mapped.force((int)from, (int)(to - from));
        }
    }

    @Override
    protected void sealFile(final long length, final Path sealedPath) throws IOException
    {
        preallocation.release();
        unmap();
        Sealer.seal(SegmentChannel.of(channel), length, path, sealedPath);
    }

    @Override
    protected void discardFile() throws IOException
    {
        preallocation.release();
        unmap();
        channel.close();
        Sealer.delete(path);
    }

    @Override
    public void abandon()
    {
        preallocation.release();
        unmap();
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // the lane has failed already; recovery reads what is on disk
        }
    }

    private void unmap()
    {
        if (mapped != null)
        {
            IoUtil.unmap(mapped);
            mapped = null;
            mappedLength = 0;
        }
    }
}
