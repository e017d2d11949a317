package dev.spindle.wal.internal.lane;

import dev.spindle.fs.Directories;
import dev.spindle.wal.IoMode;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.internal.segment.ActiveSegment;
import dev.spindle.wal.internal.segment.BlockCodec;
import dev.spindle.wal.internal.segment.MappedSegment;
import dev.spindle.wal.internal.segment.MemoryChannel;
import dev.spindle.wal.internal.segment.MemoryStore;
import dev.spindle.wal.internal.segment.Preallocator;
import dev.spindle.wal.internal.segment.PwriteSegment;
import dev.spindle.wal.internal.segment.SegmentFormat;
import dev.spindle.wal.internal.segment.SegmentNames;
import dev.spindle.wal.internal.segment.SegmentPool;
import dev.spindle.wal.internal.segment.StagingPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Creates the active segments of one lane: a fresh sync marker and header per segment, the file in the
 * lane's io_mode (or in memory; a freed file from the lane's {@link SegmentPool} when there is one). pwrite and
 * {@code MemoryOnly} segments borrow their staging buffers from the lane's one {@link StagingPool} block by block
 * (mmap segments need none); the timer tick trims it. {@link Sealing} takes the segments over when they are
 * full. Lane thread only (and the closing thread once the lane thread has stopped).
 */
final class SegmentManager
{
    private static final Logger LOG = LoggerFactory.getLogger(SegmentManager.class);

    private final WalOptions options;
    private final long writerId;
    private final SyncMode syncMode;
    private final IoMode ioMode;
    private final Preallocator preallocator;
    private final boolean preallocatePwrite;
    private final MemoryStore memory;
    private final SplittableRandom random = new SplittableRandom(new SecureRandom().nextLong());
    /** Staging buffers of the open blocks, for pwrite and MemoryOnly; null for mmap. */
    private final StagingPool staging;
    private final AtomicLong storedBytes;
    private final SegmentPool pool;
    /** The lane's block codec: compresses each block as it closes; null for codec = "null". */
    private final BlockCodec codec;
    /** The writer epoch of a remote lane's fence, written in each header; 0 for a local lane. */
    private long epoch;

    /**
     * @param pool where freed segment files wait to be overwritten, or null to create every file anew.
     */
    SegmentManager(final int laneIndex, final WalOptions options, final long writerId, final MemoryStore memory,
        final AtomicLong storedBytes, final SegmentPool pool)
    {
        this.storedBytes = storedBytes;
        this.pool = pool;
        this.options = options;
        this.writerId = writerId;
        this.syncMode = options.syncMode();
        this.ioMode = options.ioMode();
        this.memory = memory;
        this.preallocatePwrite = options.pwritePreallocate();
        this.preallocator = memory == null && (ioMode == IoMode.mmap || preallocatePwrite) ?
            new Preallocator("spindle-prealloc-" + laneIndex) : null;
        // a block closes once it holds memory_flush_size_bytes, so it rarely needs more than one entry beyond that
        this.staging = memory != null || ioMode == IoMode.pwrite ? new StagingPool(
            Math.min(options.memoryFlushSizeBytes() + 64 * 1024, options.diskSegmentSizeBytes())) : null;
        this.codec = BlockCodec.create(options.codec(), options.codecLevel());
    }

    /**
     * Opening thread, before the lane thread starts: the epoch this writer holds in a remote lane's fence.
     */
    void epoch(final long epoch)
    {
        this.epoch = epoch;
    }

    /**
     * Start a new active segment for {@code lc} whose first entry is {@code firstSequence}.
     */
    ActiveSegment open(final LaneCollection lc, final long firstSequence) throws IOException
    {
        if (memory == null && !lc.directoryExists)
        {
            Directories.create(lc.directory);
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
            System.currentTimeMillis() * 1000, syncMode, epoch, options.codec(), options.diskSegmentSizeBytes(), sync);
        SegmentPool.Recycled file = memory == null && pool != null ? pool.take(path, header) : null;
        if (memory == null && file == null)
        {
            file = new SegmentPool.Recycled(PwriteSegment.createFile(path, header), header.length);
        }
        // a recycled file may grow past its length to a whole segment (kept files are at least 3/4 of one): only
        // that last part allocates, and the file does not shrink from life to life (a seal truncates it)
        final long limit = options.diskSegmentSizeBytes();
        final ActiveSegment segment;
        if (memory != null)
        {
            final MemoryChannel channel = memory.create(path);
            channel.write(ByteBuffer.wrap(header), 0);
            segment = new PwriteSegment(path, channel, firstSequence, sync, limit, header.length, staging, false,
                storedBytes, null, codec);
        }
        else if (ioMode == IoMode.pwrite)
        {
            segment = PwriteSegment.create(path, header, firstSequence, sync, limit, staging, storedBytes,
                preallocatePwrite ? preallocator : null, Math.min(options.preallocateChunkBytes(), limit), file, codec);
        }
        else
        {
            segment = MappedSegment.create(path, header, firstSequence, sync, limit, preallocator,
                Math.min(options.preallocateChunkBytes(), limit), storedBytes, file, codec);
        }
        lc.active = segment;
        lc.activeForReaders = segment;
        return segment;
    }

    /**
     * Timer tick: free the staging buffers the lane has not needed lately.
     */
    void tick(final long nowNanos)
    {
        if (staging != null)
        {
            staging.trim(nowNanos);
        }
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
                if (memory != null)
                {
                    lc.activeForReaders = null;
                }
                // a file stays readable up to what was published (what a move leaves of it replays)
            }
            ActiveSegment segment;
            while ((segment = lc.awaitingSeal.poll()) != null)
            {
                segment.abandon();
            }
        }
    }

    void close()
    {
        if (preallocator != null)
        {
            preallocator.close();
        }
        if (staging != null)
        {
            staging.close();
        }
        if (codec != null)
        {
            codec.close();  // throws while a lane thread that did not stop compresses: the lane then keeps its lock
        }
    }
}
