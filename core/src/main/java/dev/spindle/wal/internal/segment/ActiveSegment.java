package dev.spindle.wal.internal.segment;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The segment a lane is appending to for one collection: the block logic shared by every I/O path.
 * Subclasses say where the bytes go ({@link PwriteSegment}: an off-heap buffer then positional writes;
 * {@link MappedSegment}: straight into the mapped, preallocated file).
 *
 * <p>Layout of an open block in the window (file offsets):
 * <pre>
 *   blockStart        entriesStart                      entriesEnd
 *   | header (reserved: predicted length) | entry | entry | ... |
 * </pre>
 * The block header (count, size) is only known when the block closes; room for the length of the
 * last block's header is reserved, and in the rare case the real header is longer or shorter the
 * entries are moved (an overlapping copy) before the header and the sync marker are written. With a
 * {@link BlockCodec}, the entries are encoded the same way, then compressed as a whole when the block closes and
 * the compressed bytes written over them, after the header.
 *
 * <p>Only the lane thread calls this class, except {@link #force()}, which the lane's forcer may run
 * on a helper thread while the lane thread waits for it, and which, for a full segment of a {@code Never}
 * lane, the lane's background forcer runs while the lane thread goes on with other segments.
 */
public abstract class ActiveSegment
{
    protected final Path path;
    protected final long firstSequence;
    protected final byte[] sync;
    protected final long limit;
    protected final long createdNanos;
    /** The lane's count of bytes held in segments: header and closed blocks are added as they are made. */
    private final java.util.concurrent.atomic.AtomicLong stored;
    /** The lane's block codec, or null for {@code codec = "null"}. */
    private final BlockCodec compressor;

    /** The memory entries are encoded into; index 0 is file offset {@link #windowBase}. */
    protected final UnsafeBuffer window = new UnsafeBuffer(0, 0);
    /** A {@link ByteBuffer} over the same memory as {@link #window}, for the checksum. */
    protected ByteBuffer view;
    protected long windowBase;

    private final byte[] scratch = new byte[SegmentFormat.MAX_BLOCK_HEADER];
    private boolean blockOpen;
    private long blockStart;
    private long entriesStart;
    private long entriesEnd;
    private int blockCount;
    private int predictedHeader = 2;

    /** End of the last closed block: where the next block starts. */
    protected long writePosition;
    /** Bytes known to be on stable storage. */
    protected long durablePosition;
    private long entryCount;
    /** Encoded length of the entry the last successful {@link #append} took. */
    private int lastEncoded;
    private long lastSequence;
    private long lastGlobalSequence;
    private volatile long readableLimit;

    protected ActiveSegment(final Path path, final long firstSequence, final byte[] sync, final long limit,
        final int headerLength, final java.util.concurrent.atomic.AtomicLong stored, final BlockCodec compressor)
    {
        this.stored = stored;
        this.compressor = compressor;
        stored.addAndGet(headerLength);
        this.path = path;
        this.firstSequence = firstSequence;
        this.sync = sync;
        this.limit = limit;
        this.createdNanos = System.nanoTime();
        this.writePosition = headerLength;
        this.durablePosition = 0;
    }

    /**
     * Encode {@code slot} into the open block (opening one if needed).
     *
     * @return false, having appended nothing, when the segment is full: seal it and append to a new one.
     */
    public final boolean append(final StagedEntry slot, final EntryEncoder encoder) throws IOException
    {
        final int bound = slot.encodedBound;
        if (!blockOpen)
        {
            if (entryCount > 0 && writePosition + SegmentFormat.MAX_BLOCK_HEADER + bound + SegmentFormat.SYNC_SIZE +
                growth(bound) > limit)
            {
                return false;
            }
            openBlock();
        }
        else if (entriesEnd + bound + SegmentFormat.SYNC_SIZE + headerSlack() + growth(entriesEnd - entriesStart + bound) >
            limit)
        {
            closeBlock();
            return false;
        }
        long needEnd = entriesEnd + bound + SegmentFormat.SYNC_SIZE + headerSlack();
        if (needEnd > windowEnd() && !growWindow(needEnd, blockCount == 0))
        {
            closeBlock();
            openBlock();
            needEnd = entriesEnd + bound + SegmentFormat.SYNC_SIZE + headerSlack();
            if (needEnd > windowEnd() && !growWindow(needEnd, true))
            {
                throw new IllegalStateException("no room for an entry of up to " + bound + " bytes in " + path);
            }
        }
        final int written = encoder.encode(slot, window, view, (int)(entriesEnd - windowBase));
        lastEncoded = written;
        entriesEnd += written;
        blockCount++;
        entryCount++;
        lastSequence = slot.sequence;
        lastGlobalSequence = slot.globalSequence;
        afterAppend(entriesEnd);
        return true;
    }

    /** @return what compressing {@code entries} bytes may add (a block is only started where that fits too). */
    private long growth(final long entries)
    {
        return compressor == null ? 0 : BlockCodec.growth(entries);
    }

    private long headerSlack()
    {
        return SegmentFormat.MAX_BLOCK_HEADER - (entriesStart - blockStart);
    }

    private void openBlock() throws IOException
    {
        blockStart = writePosition;
        startWindowAt(blockStart);
        entriesStart = blockStart + predictedHeader;
        entriesEnd = entriesStart;
        blockCount = 0;
        blockOpen = true;
    }

    /**
     * Close the open block (header, sync marker) and hand its bytes to the file. No force.
     */
    public final void closeBlock() throws IOException
    {
        if (!blockOpen)
        {
            return;
        }
        blockOpen = false;
        if (blockCount == 0)
        {
            blockClosed();
            return;
        }
        final int reserved = (int)(entriesStart - blockStart);
        final int at = (int)(blockStart - windowBase);
        final long size;
        final int headerLength;
        if (compressor == null)
        {
            size = entriesEnd - entriesStart;
            headerLength = SegmentFormat.encodeBlockHeader(blockCount, size, scratch);
            if (headerLength != reserved)
            {
                window.putBytes(at + headerLength, window, at + reserved, (int)size);
            }
        }
        else
        {
            size = compressor.compress(view, at + reserved, (int)(entriesEnd - entriesStart));
            headerLength = SegmentFormat.encodeBlockHeader(blockCount, size, scratch);
            final long end = blockStart + headerLength + size + SegmentFormat.SYNC_SIZE;
            if (end > windowEnd())
            {
                growWindow(end, false);     // entries that do not compress: append left room for it in the segment
            }
            window.putBytes(at + headerLength, compressor.output(), 0, (int)size);
        }
        window.putBytes(at, scratch, 0, headerLength);
        window.putBytes(at + headerLength + (int)size, sync);
        final long end = blockStart + headerLength + size + SegmentFormat.SYNC_SIZE;
        if (compressor != null && end + SegmentFormat.MAX_BLOCK_HEADER <= windowEnd())
        {
            // the entries were encoded further than their compressed block reaches: where the next block will start,
            // a reader of a mapped file (which shows what is beyond too) then finds zeros, the end, not old entries
            window.setMemory((int)(end - windowBase), SegmentFormat.MAX_BLOCK_HEADER, (byte)0);
        }
        predictedHeader = headerLength;
        commit(blockStart, end);
        stored.addAndGet(end - blockStart);
        writePosition = end;
        blockClosed();
    }

    /** @return the encoded length of the entry the last successful {@link #append} took (the lane's metrics). */
    public final int lastEncodedLength()
    {
        return lastEncoded;
    }

    /**
     * @return bytes of entries in the open block (what {@code memory_flush_size_bytes} is compared with).
     */
    public final long openBlockBytes()
    {
        return blockOpen ? entriesEnd - entriesStart : 0;
    }

    /**
     * Make everything up to {@link #writePosition} durable. Thread-safe against nothing: the lane
     * thread calls it, or waits while a helper does, or (a full segment of a {@code Never} lane, which the
     * lane no longer writes) goes on with other segments while the lane's background forcer does.
     */
    public abstract void force() throws IOException;

    /**
     * Record that {@link #force()} succeeded for everything written so far.
     */
    public final void forced()
    {
        durablePosition = writePosition;
    }

    /**
     * Close the block, force, truncate to the written length, rename to the sealed name, fsync the directory.
     *
     * @return the sealed file.
     */
    public final Path seal() throws IOException
    {
        closeBlock();
        if (durablePosition < writePosition)
        {
            force();
            forced();
        }
        final Path sealed = path.resolveSibling(SegmentNames.sealed(firstSequence, lastSequence));
        sealFile(writePosition, sealed);
        return sealed;
    }

    /**
     * Remove an active segment that holds no entry.
     */
    public final void discard() throws IOException
    {
        stored.addAndGet(-writePosition);
        discardFile();
    }

    protected abstract void discardFile() throws IOException;

    /**
     * Release the file without sealing it (after a failure); recovery deals with it at the next open.
     */
    public abstract void abandon();

    /** @return file offset one past the last byte the window can take now. */
    protected abstract long windowEnd();

    /**
     * Try to make the window reach {@code needEnd}.
     *
     * @param blockEmpty true when the open block holds no entry yet.
     * @return false when it cannot without closing the open block first.
     */
    protected abstract boolean growWindow(long needEnd, boolean blockEmpty) throws IOException;

    /** A block is about to start at {@code position}. */
    protected abstract void startWindowAt(long position) throws IOException;

    /** Bytes [from, to) are a closed block: write them to the file if the window is not the file. */
    protected abstract void commit(long from, long to) throws IOException;

    /** The block is closed (and committed): the window is not needed until the next block starts. */
    protected void blockClosed()
    {
    }

    protected abstract void sealFile(long length, Path sealedPath) throws IOException;

    /** Called after each entry with the end of the open block. */
    protected void afterAppend(final long position) throws IOException
    {
    }

    /**
     * Readers of an open segment may read up to this offset: whole blocks that are acknowledged.
     */
    public final long readableLimit()
    {
        return readableLimit;
    }

    /**
     * Let readers see everything written so far (whole blocks).
     */
    public final void publishReadable()
    {
        readableLimit = writePosition;
    }

    public final Path path()
    {
        return path;
    }

    public final long firstSequence()
    {
        return firstSequence;
    }

    public final long lastSequence()
    {
        return lastSequence;
    }

    public final long lastGlobalSequence()
    {
        return lastGlobalSequence;
    }

    public final long entryCount()
    {
        return entryCount;
    }

    public final long writePosition()
    {
        return writePosition;
    }

    public final long durablePosition()
    {
        return durablePosition;
    }

    public final boolean isDirty()
    {
        return durablePosition < writePosition || openBlockBytes() > 0;
    }

    public final long createdNanos()
    {
        return createdNanos;
    }
}
