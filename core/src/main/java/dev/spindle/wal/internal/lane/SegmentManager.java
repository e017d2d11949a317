package dev.spindle.wal.internal.lane;

import dev.spindle.wal.IoMode;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.internal.FileSync;
import dev.spindle.wal.internal.segment.ActiveSegment;
import dev.spindle.wal.internal.segment.MappedSegment;
import dev.spindle.wal.internal.segment.MemoryChannel;
import dev.spindle.wal.internal.segment.MemoryStore;
import dev.spindle.wal.internal.segment.Preallocator;
import dev.spindle.wal.internal.segment.PwriteSegment;
import dev.spindle.wal.internal.segment.SegmentFormat;
import dev.spindle.wal.internal.segment.SegmentNames;
import org.agrona.BufferUtil;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Creates, rolls and seals the segments of one lane. Lane thread only (and the closing thread once
 * the lane thread has stopped).
 *
 * <p>Sealing a full segment forces it first and then renames it, unless the collection is spread
 * over several lanes and an earlier sequence is still pending in another lane: then the segment
 * waits (still {@code .open}) until the collection's durable watermark passes its last sequence, so
 * that a sealed segment never holds an entry past a gap. Recovery can then mend gaps by cutting
 * {@code .open} tails alone.
 */
final class SegmentManager
{
    private static final Logger LOG = LoggerFactory.getLogger(SegmentManager.class);

    private final Lane lane;
    private final WalOptions options;
    private final long writerId;
    private final SyncMode syncMode;
    private final IoMode ioMode;
    private final Preallocator preallocator;
    private final boolean preallocatePwrite;
    private final MemoryStore memory;
    private final SplittableRandom random = new SplittableRandom(new SecureRandom().nextLong());
    private final Map<LaneCollection, ByteBuffer> staging = new IdentityHashMap<>();
    private final List<LaneCollection> awaiting = new ArrayList<>();

    SegmentManager(final Lane lane, final WalOptions options, final long writerId, final MemoryStore memory)
    {
        this.lane = lane;
        this.options = options;
        this.writerId = writerId;
        this.syncMode = options.syncMode();
        this.ioMode = options.ioMode();
        this.memory = memory;
        this.preallocatePwrite = options.pwritePreallocate();
        this.preallocator = memory == null && (ioMode == IoMode.mmap || preallocatePwrite) ?
            new Preallocator("spindle-prealloc-" + lane.index()) : null;
    }

    /**
     * Start a new active segment for {@code lc} whose first entry is {@code firstSequence}.
     */
    ActiveSegment open(final LaneCollection lc, final long firstSequence) throws IOException
    {
        if (memory == null && !lc.directoryExists)
        {
            FileSync.createDirectoryDurably(lc.directory);
            lc.directoryExists = true;
        }
        if (memory == null && java.nio.file.Files.isSymbolicLink(lc.directory))
        {
            throw new IOException(lc.directory + " is a symbolic link: Spindle keeps every file inside its lane " +
                "directories and never follows links there (recovery would not find these entries)");
        }
        final Path path = lc.directory.resolve(SegmentNames.open(firstSequence));
        final byte[] sync = new byte[SegmentFormat.SYNC_SIZE];
        for (int i = 0; i < sync.length; i += 8)
        {
            final long r = random.nextLong();
            for (int b = 0; b < 8; b++)
            {
                sync[i + b] = (byte)(r >>> (8 * b));
            }
        }
        final byte[] header = SegmentFormat.header(lc.collection.name(), firstSequence, writerId,
            System.currentTimeMillis() * 1000, syncMode, sync);
        final long limit = options.diskSegmentSizeBytes();
        final ActiveSegment segment;
        if (memory != null)
        {
            final MemoryChannel channel = memory.create(path);
            channel.write(ByteBuffer.wrap(header), 0);
            segment = new PwriteSegment(path, channel, firstSequence, sync, limit, header.length, stagingFor(lc), false,
                lane.storedBytes, null);
        }
        else if (ioMode == IoMode.pwrite)
        {
            segment = PwriteSegment.create(path, header, firstSequence, sync, limit, stagingFor(lc), lane.storedBytes,
                preallocatePwrite ? preallocator : null, Math.min(options.preallocateChunkBytes(), limit));
        }
        else
        {
            segment = MappedSegment.create(path, header, firstSequence, sync, limit, preallocator,
                Math.min(options.preallocateChunkBytes(), limit), lane.storedBytes);
        }
        lc.active = segment;
        lc.activeForReaders = segment;
        return segment;
    }

    private ByteBuffer stagingFor(final LaneCollection lc)
    {
        ByteBuffer buffer = staging.get(lc);
        if (buffer == null)
        {
            final long size = Math.min(options.memoryFlushSizeBytes() + 64 * 1024, options.diskSegmentSizeBytes());
            buffer = BufferUtil.allocateDirectAligned((int)size, 4096);
            staging.put(lc, buffer);
        }
        return buffer;
    }

    /**
     * The active segment of {@code lc} is full or too old: make it durable, then seal it (or let it
     * wait for other lanes). The caller opens the next one when it has an entry for it.
     */
    void finish(final LaneCollection lc) throws IOException
    {
        final ActiveSegment segment = lc.active;
        if (segment == null)
        {
            return;
        }
        segment.closeBlock();
        if (segment instanceof PwriteSegment)
        {
            staging.put(lc, ((PwriteSegment)segment).staging());
        }
        if (segment.entryCount() == 0)
        {
            lc.active = null;
            lc.activeForReaders = null;
            segment.discard();
            return;
        }
        if (segment.durablePosition() < segment.writePosition())
        {
            segment.force();
            segment.forced();
        }
        segment.publishReadable();
        lc.lastDurable = Math.max(lc.lastDurable, segment.lastSequence());
        lc.collection.laneDurable(lane.index(), lc.lastDurable);
        if (lc.awaitingSeal.isEmpty() && sealGate(lc) >= segment.lastSequence())
        {
            // never before an earlier segment still waiting: a lane seals (and uploads, and counts as
            // remote-durable) its segments of a collection in sequence order
            seal(lc, segment);
            lc.active = null;
            lc.activeForReaders = null;
        }
        else
        {
            lc.awaitingSeal.add(segment);
            lc.active = null;
            lc.activeForReaders = null;
            if (!awaiting.contains(lc))
            {
                awaiting.add(lc);
            }
        }
    }

    /**
     * How far a collection must be done, over all its lanes, before a segment ending there may be sealed:
     * durable (so a sealed segment never holds an entry past a sequence a crash could lose); for
     * {@code Never}, which makes entries durable only at seals, written (kill -9 loses no written
     * entry; power loss is the mode's stated risk); for {@code MemoryOnly}, no wait (nothing to recover).
     */
    private long sealGate(final LaneCollection lc)
    {
        switch (syncMode)
        {
            case MemoryOnly:
                return Long.MAX_VALUE;
            case Never:
                return lc.collection.writtenSequence();
            default:
                return lc.collection.durableSequence();
        }
    }

    private void seal(final LaneCollection lc, final ActiveSegment segment) throws IOException
    {
        final Path sealed = segment.seal();
        if (memory != null)
        {
            memory.rename(segment.path(), sealed);
        }
        final SealedSegment done = new SealedSegment(sealed, segment.firstSequence(), segment.lastSequence(),
            segment.writePosition());
        lc.sealed.put(segment.firstSequence(), done);
        lane.sealed(lc, done);
        if (segment.lastSequence() <= lc.collection.checkpointSequence())
        {
            // checkpointed while it was active; lane thread: remote deletes go to the upload threads
            lane.deleteCheckpointed(lc, lc.collection.checkpointSequence(), false);
        }
    }

    /**
     * Seal the waiting segments whose collection's durable watermark has caught up.
     */
    void sealAwaiting() throws IOException
    {
        for (int i = awaiting.size() - 1; i >= 0; i--)
        {
            final LaneCollection lc = awaiting.get(i);
            ActiveSegment segment;
            while ((segment = lc.awaitingSeal.peek()) != null && sealGate(lc) >= segment.lastSequence())
            {
                seal(lc, segment);
                lc.awaitingSeal.poll();
            }
            if (lc.awaitingSeal.isEmpty())
            {
                awaiting.remove(i);
            }
        }
    }

    boolean hasAwaiting()
    {
        return !awaiting.isEmpty();
    }

    /**
     * Close: seal everything the gate allows (after every lane forced everything, that is everything,
     * unless a lane failed). A segment past a sequence another lane lost stays {@code .open}: its
     * entries were never acknowledged, and recovery cuts them.
     */
    void sealAll(final List<LaneCollection> collections) throws IOException
    {
        for (final LaneCollection lc : collections)
        {
            finish(lc);
        }
        sealAwaiting();
        for (final LaneCollection lc : awaiting)
        {
            ActiveSegment segment;
            while ((segment = lc.awaitingSeal.poll()) != null)
            {
                LOG.warn("closing: {} stays open (entries {}..{}; the collection is durable only to {}); recovery " +
                    "at the next open handles it", segment.path(), segment.firstSequence(), segment.lastSequence(),
                    sealGate(lc));
                segment.abandon();
            }
        }
        awaiting.clear();
    }

    /**
     * Let go of every open file without sealing (the lane failed).
     */
    void abandonAll(final List<LaneCollection> collections)
    {
        for (final LaneCollection lc : collections)
        {
            if (lc.active != null)
            {
                LOG.warn("the lane failed: {} stays open, not sealed (recovery at the next open handles it)",
                    lc.active.path());
                lc.active.abandon();
                lc.active = null;
                lc.activeForReaders = null;
            }
            ActiveSegment segment;
            while ((segment = lc.awaitingSeal.poll()) != null)
            {
                segment.abandon();
            }
        }
        awaiting.clear();
    }

    void close()
    {
        if (preallocator != null)
        {
            preallocator.close();
        }
        staging.clear(); // direct buffers are freed by the GC once unreachable
    }
}
