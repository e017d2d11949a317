package dev.spindle.wal.internal.lane;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.WalException;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.internal.CollectionState;
import dev.spindle.wal.internal.EntrySlot;
import dev.spindle.wal.internal.FileSync;
import dev.spindle.wal.internal.recovery.LaneScanner;
import dev.spindle.wal.internal.replay.SegmentRef;
import dev.spindle.wal.internal.upload.RemoteLane;
import dev.spindle.wal.internal.segment.ActiveSegment;
import dev.spindle.wal.internal.segment.SegmentNames;
import dev.spindle.wal.internal.segment.MemoryStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One {@code wal_urls} entry: a Disruptor ring, the one batch-writer thread that drains it, and that
 * lane's segment files under {@code root}. Lanes share nothing on the hot path.
 *
 * <p>A lane holds an exclusive lock on {@code root/.lock} while open, so two processes never write
 * the same lane. When it fails (an I/O error, a failed fsync) it stays failed: appends routed to it
 * throw, waiters get the cause, and the WAL must be reopened (recovery keeps what reached the disk).
 */
public final class Lane
{
    private static final Logger LOG = LoggerFactory.getLogger(Lane.class);

    private final int index;
    private final String url;
    private final Path root;
    private final MemoryStore memory;
    private final Disruptor<EntrySlot> disruptor;
    private final RingBuffer<EntrySlot> ring;
    private final SegmentManager segments;
    private final ParallelForcer forcer;
    private final BatchWriter writer;
    private final List<LaneCollection> collections = new ArrayList<>();
    private final AtomicLong inFlightBytes = new AtomicLong();
    final AtomicLong storedBytes = new AtomicLong();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final FileChannel lockChannel;
    private final FileLock lock;
    /** The object-storage side of a remote lane (its root is then a staging directory), else null. */
    private volatile RemoteLane remote;
    private volatile WalException failure;
    private Lane[] peers = new Lane[0];
    private boolean started;

    /**
     * Open (lock) a lane. Its thread starts with {@link #start()}, after recovery registered what it found.
     */
    public Lane(final int index, final String url, final Path root, final WalOptions options, final long writerId)
    {
        this.index = index;
        this.url = url;
        this.root = root;
        final boolean inMemory = options.syncMode() == SyncMode.MemoryOnly;
        this.memory = inMemory ? new MemoryStore() : null;
        if (inMemory)
        {
            lockChannel = null;
            lock = null;
        }
        else
        {
            try
            {
                FileSync.createDirectoryDurably(root);
                lockChannel = FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock acquired;
                try
                {
                    acquired = lockChannel.tryLock();
                }
                catch (final OverlappingFileLockException ex)
                {
                    acquired = null;
                }
                if (acquired == null)
                {
                    lockChannel.close();
                    throw new WalException("wal_urls[" + index + "] " + url + " is in use by another Spindle WAL " +
                        "(" + root.resolve(".lock") + " is locked); close it first");
                }
                lock = acquired;
                lockChannel.truncate(0);
                lockChannel.write(java.nio.ByteBuffer.wrap(
                    ("pid=" + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            }
            catch (final IOException ex)
            {
                throw new WalException("wal_urls[" + index + "] " + url + ": cannot open lane directory " + root + ": " +
                    ex.getMessage(), ex);
            }
        }
        this.segments = new SegmentManager(this, options, writerId, memory);
        this.forcer = new ParallelForcer("spindle-sync-" + index, options.syncParallelism());
        this.writer = new BatchWriter(this, segments, forcer, writerId, options);
        this.disruptor = new Disruptor<>(EntrySlot::new, options.ringBufferSize(),
            r -> {
                final Thread t = new Thread(r, "spindle-lane-" + index);
                t.setDaemon(true);
                return t;
            },
            ProducerType.MULTI, waitStrategy(options.waitStrategy()));
        disruptor.handleEventsWith(writer);
        disruptor.setDefaultExceptionHandler(new ExceptionHandler<>()
        {
            @Override
            public void handleEventException(final Throwable ex, final long sequence, final EntrySlot event)
            {
                fail("processing ring slot " + sequence, ex);
            }

            @Override
            public void handleOnStartException(final Throwable ex)
            {
                fail("starting", ex);
            }

            @Override
            public void handleOnShutdownException(final Throwable ex)
            {
                LOG.warn("lane {} ({}): error while stopping", index, url, ex);
            }
        });
        this.ring = disruptor.getRingBuffer();
    }

    private static WaitStrategy waitStrategy(final dev.spindle.wal.WaitStrategy strategy)
    {
        switch (strategy)
        {
            case busy_spin:
                return new BusySpinWaitStrategy();
            case yielding:
                return new YieldingWaitStrategy();
            case sleeping:
                return new SleepingWaitStrategy();
            case blocking:
            default:
                return new BlockingWaitStrategy();
        }
    }

    public void start()
    {
        started = true;
        disruptor.start();
    }

    public int index()
    {
        return index;
    }

    public String url()
    {
        return url;
    }

    public Path root()
    {
        return root;
    }

    /**
     * @return the memory "disk" of a MemoryOnly lane, or null.
     */
    public MemoryStore memory()
    {
        return memory;
    }

    public RingBuffer<EntrySlot> ring()
    {
        return ring;
    }

    EntrySlot slot(final long sequence)
    {
        return ring.get(sequence);
    }

    /**
     * @return bytes appended to this lane and not yet acknowledged.
     */
    public long inFlightBytes()
    {
        return inFlightBytes.get();
    }

    /**
     * @return the bytes this lane's segments hold (LoadBalanced's tie break; MemoryOnly's memory use).
     */
    public long storedBytes()
    {
        return storedBytes.get();
    }

    /**
     * A producer is about to publish an entry of {@code bytes}.
     */
    public void appending(final long bytes)
    {
        inFlightBytes.addAndGet(bytes);
    }

    void batchDone(final long bytes)
    {
        if (bytes != 0)
        {
            inFlightBytes.addAndGet(-bytes);
        }
    }

    /**
     * @return the failure that stopped this lane, or null.
     */
    public WalException failure()
    {
        return failure;
    }

    /**
     * @throws WalException when the lane has failed.
     */
    public void checkHealthy()
    {
        final WalException f = failure;
        if (f != null)
        {
            throw new WalException(f.getMessage(), f);
        }
    }

    /**
     * Tell the lane about all lanes of the WAL (to see when a collection waits on a failed one).
     */
    public void peers(final Lane[] all)
    {
        this.peers = all.clone();
    }

    /**
     * @return the failure of a lane that holds an unacknowledged entry of {@code collection}, or null.
     */
    public WalException failedPendingLane(final CollectionState collection)
    {
        final int failed = failedPending(peers, collection, false);
        return failed >= 0 ? peers[failed].failure() : null;
    }

    /**
     * @return the index of a failed lane among {@code lanes} that holds entries of {@code collection} not yet
     *     acknowledged (or durable), or -1. Every failed lane is asked, not only the first lane with entries
     *     pending: a failed lane behind a busy healthy one must be found. Allocation-free (appends call it).
     */
    public static int failedPending(final Lane[] lanes, final CollectionState collection, final boolean durably)
    {
        for (int l = 0; l < lanes.length; l++)
        {
            if (lanes[l].failure != null && collection.pendingOn(l, durably))
            {
                return l;
            }
        }
        return -1;
    }

    /**
     * Fail the lane: every entry not yet acknowledged, and every later one, fails with this cause.
     */
    public void fail(final String doing, final Throwable cause)
    {
        if (failure != null)
        {
            return;
        }
        final String message = "lane " + index + " (" + url + ") failed while " + doing + ": " +
            (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()) +
            "; entries not yet acknowledged on this lane are lost; reopen the WAL to recover";
        failure = new WalException(message, cause);
        LOG.error(message, cause);
        try
        {
            segments.abandonAll(collections);
        }
        catch (final Throwable t)
        {
            LOG.warn("lane {}: error releasing files after failure", index, t);
        }
        for (final LaneCollection lc : collections)
        {
            lc.collection.failDeferredAcks(failure);
        }
    }

    /**
     * The state of {@code collection} on this lane, created on first use. Lane thread (or before start).
     */
    LaneCollection collectionFor(final CollectionState collection)
    {
        final Object state = collection.laneState(index);
        if (state != null)
        {
            return (LaneCollection)state;
        }
        return register(collection, false);
    }

    /**
     * Register a collection found by recovery (before the lane starts) or seen for the first time.
     */
    public LaneCollection register(final CollectionState collection, final boolean directoryExists)
    {
        final LaneCollection lc = new LaneCollection(this, collection, root.resolve(collection.name()),
            directoryExists || (memory == null && Files.isDirectory(root.resolve(collection.name()))));
        collection.laneState(index, lc);
        collections.add(lc);
        return lc;
    }

    List<LaneCollection> collections()
    {
        return collections;
    }

    /** Make this a remote lane (before it starts). */
    public void remote(final RemoteLane remote)
    {
        this.remote = remote;
    }

    /** @return the object-storage side of this lane, or null for a local lane. */
    public RemoteLane remote()
    {
        return remote;
    }

    /** Lane thread: {@code segment} was just sealed. A remote lane hands it to its uploader (never waits). */
    void sealed(final LaneCollection lc, final SealedSegment segment)
    {
        final RemoteLane r = remote;
        if (r != null)
        {
            r.enqueue(lc, segment);
        }
    }

    /**
     * Add to {@code refs} what a reader may replay of {@code lc} now: sealed segments, full segments
     * waiting to be sealed, and the active segment up to its readable limit. A segment seen twice (it
     * was sealed while this ran) is listed once, as sealed.
     */
    public void segmentRefs(final LaneCollection lc, final long maxSequence, final List<SegmentRef> refs)
    {
        final Map<Long, SegmentRef> byFirst = new TreeMap<>();
        final ActiveSegment active = lc.activeForReaders();
        if (active != null && active.readableLimit() > 0)
        {
            byFirst.put(active.firstSequence(), new SegmentRef(active.path(), active.firstSequence(), Long.MAX_VALUE,
                active.readableLimit(), maxSequence, false, memory));
        }
        for (final ActiveSegment waiting : lc.awaitingSealSnapshot())
        {
            byFirst.put(waiting.firstSequence(), new SegmentRef(waiting.path(), waiting.firstSequence(), Long.MAX_VALUE,
                waiting.readableLimit(), maxSequence, false, memory));
        }
        final RemoteLane r = remote;
        for (final SealedSegment sealed : lc.sealed().values())
        {
            SegmentRef ref = new SegmentRef(sealed.path(), sealed.firstSequence(), sealed.lastSequence(), Long.MAX_VALUE,
                maxSequence, true, memory);
            if (r != null)
            {
                ref = ref.inObjectStorage(r.fileSystem(), lc.collection().name());
            }
            byFirst.put(sealed.firstSequence(), ref);
        }
        refs.addAll(byFirst.values());
    }

    /**
     * Set what recovery found for {@code lc} (before the lane starts).
     */
    public void recovered(final LaneCollection lc, final long lastSequence, final List<SealedSegment> sealed)
    {
        lc.lastWritten = lastSequence;
        lc.lastDurable = lastSequence;
        for (final SealedSegment s : sealed)
        {
            storedBytes.addAndGet(s.size());
        }
    }

    /**
     * Write {@code lc}'s checkpoint in this lane and delete its sealed segments wholly at or below it.
     * Runs on the caller's thread: sealed segments are immutable and the lane thread never touches them.
     */
    public void checkpoint(final LaneCollection lc, final long sequence) throws IOException
    {
        final RemoteLane r = remote;
        if (memory == null)
        {
            if (!Files.isDirectory(lc.directory()) && r == null)
            {
                return;
            }
            if (Files.isDirectory(lc.directory()))
            {
                FileSync.writeAtomically(lc.directory().resolve(SegmentNames.CHECKPOINT),
                    LaneScanner.checkpointContent(sequence));
            }
            if (r != null)
            {
                r.writeCheckpoint(lc.collection().name(), sequence);
            }
        }
        deleteCheckpointed(lc, sequence);
    }

    /**
     * Delete {@code lc}'s sealed segments wholly at or below {@code sequence}.
     */
    public void deleteCheckpointed(final LaneCollection lc, final long sequence) throws IOException
    {
        deleteCheckpointed(lc, sequence, true);
    }

    /**
     * @param remoteNow delete remote copies on this thread; false on the lane thread, which hands them to the
     *     upload threads instead (it never waits for the network).
     */
    void deleteCheckpointed(final LaneCollection lc, final long sequence, final boolean remoteNow) throws IOException
    {
        boolean deleted = false;
        for (final SealedSegment s : lc.sealed().values())
        {
            if (s.lastSequence() > sequence)
            {
                break;
            }
            if (!lc.sealed().remove(s.firstSequence(), s))
            {
                continue; // the lane thread and a checkpoint raced for it
            }
            if (memory != null)
            {
                memory.delete(s.path());
            }
            else
            {
                Files.deleteIfExists(s.path());
            }
            final RemoteLane r = remote;
            if (r != null && lc.uploaded().containsKey(s.firstSequence()))
            {
                if (remoteNow)
                {
                    r.deleteRemote(lc, s);
                }
                else
                {
                    r.deleteRemoteLater(lc, s);
                }
            }
            storedBytes.addAndGet(-s.size());
            deleted = true;
        }
        if (deleted && memory == null && Files.isDirectory(lc.directory()))
        {
            FileSync.fsyncDirectory(lc.directory());
        }
    }

    /**
     * Publish a timer tick if the ring has room (never blocks).
     */
    public void tick()
    {
        if (!started || failure != null)
        {
            return;
        }
        try
        {
            final long sequence = ring.tryNext();
            ring.get(sequence).tick();
            ring.publish(sequence);
        }
        catch (final InsufficientCapacityException ex)
        {
            // a full ring has batch ends of its own
        }
    }

    void laneThreadStopped()
    {
        stopped.countDown();
    }

    /**
     * Drain the ring and stop the lane thread. Afterwards the calling thread owns the lane's files.
     */
    public void stop()
    {
        if (!started)
        {
            stopped.countDown();
            return;
        }
        try
        {
            disruptor.shutdown(60, TimeUnit.SECONDS);
        }
        catch (final com.lmax.disruptor.TimeoutException ex)
        {
            LOG.warn("lane {} ({}): ring not drained after 60 s; stopping anyway", index, url);
            disruptor.halt();
        }
        try
        {
            if (!stopped.await(60, TimeUnit.SECONDS))
            {
                LOG.warn("lane {} ({}): lane thread did not stop within 60 s", index, url);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Close, first phase (lane thread stopped): force everything written.
     */
    public void forceEverything() throws IOException
    {
        if (failure == null)
        {
            writer.forceEverything();
        }
    }

    /**
     * Close, second phase (every lane has forced): seal every active segment.
     */
    public void sealEverything() throws IOException
    {
        if (failure == null)
        {
            segments.sealAll(collections);
        }
        else
        {
            segments.abandonAll(collections);
        }
    }

    /**
     * Release threads and the lock. Idempotent.
     */
    public void close()
    {
        forcer.close();
        segments.close();
        try
        {
            if (lock != null && lock.isValid())
            {
                lock.release();
            }
            if (lockChannel != null)
            {
                lockChannel.close();
            }
        }
        catch (final IOException ex)
        {
            LOG.warn("lane {}: cannot release {}", index, root.resolve(".lock"), ex);
        }
    }

    @Override
    public String toString()
    {
        return "lane " + index + " (" + url + ")";
    }
}
