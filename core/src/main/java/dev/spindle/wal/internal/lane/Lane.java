package dev.spindle.wal.internal.lane;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.WalException;
import dev.spindle.wal.WalMetrics;
import dev.spindle.wal.internal.metrics.LogLimiter;
import dev.spindle.wal.internal.metrics.StatsFile;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.internal.segment.MemoryStore;
import dev.spindle.wal.internal.segment.SealedSegment;
import dev.spindle.wal.internal.segment.SegmentPool;
import dev.spindle.wal.internal.upload.RemoteLane;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One {@code wal_urls} entry: a Disruptor ring and the one batch-writer thread that drains it into that
 * lane's segment files under {@code root}. Lanes share nothing on the hot path.
 *
 * <p>The lane's state is changed by its own thread. Other threads hand it work through the ring: entries,
 * timer ticks, and failures found elsewhere ({@link #requestFailure}, from upload threads). When it fails
 * (an I/O error, a failed fsync) it stays failed: appends routed to it throw, waiters get the cause, and the
 * WAL must be reopened (recovery keeps what reached the disk). After {@link #stop} the closing thread owns it.
 */
public final class Lane
{
    private static final Logger LOG = LoggerFactory.getLogger(Lane.class);

    private final int index;
    private final long writerId;
    private final String url;
    private final Path root;
    private final MemoryStore memory;
    private final LaneDirectory directory;
    private final RemoteLane remote;
    private final LaneRing ring;
    private final SegmentManager segments;
    private final Sealing sealing;
    private final Retention retention;
    private final ParallelForcer forcer;
    private final BackgroundForcer sealForcer;
    private final BatchWriter writer;
    private final List<LaneCollection> collections = new ArrayList<>();
    /** Bytes producers have published to this lane, ever. Padded: producers add to it. */
    private final Sequence appendedBytes = new Sequence(0);
    /** Bytes of the batches done, ever. Padded: only the lane thread writes it, without a locked instruction. */
    private final Sequence doneBytes = new Sequence(0);
    private final AtomicLong storedBytes = new AtomicLong();
    private final LaneMetrics metrics;
    private final LogLimiter publishLog = new LogLimiter(60, java.util.concurrent.TimeUnit.SECONDS);
    private final AtomicReference<FailureRequest> requestedFailure = new AtomicReference<>();
    private volatile WalException failure;
    /** Written before {@link #failure}: the failure came from the object-store side, not this lane's directory. */
    private volatile boolean failedInObjectStore;
    private Lane[] peers = new Lane[0];
    /** How many lanes the WAL has: the step between two global sequences of this lane. */
    private final int lanes;
    /** This lane's share of {@code global_flush_threshold}: the threshold divided by the lanes. */
    private final long thresholdShare;
    /** The global sequence of ring slot 0: set before the thread starts. */
    private long globalFirst;

    /** A failure another thread found: what was being done, and why. */
    private record FailureRequest(String doing, Throwable cause)
    {
    }

    /**
     * Open (lock) a lane. Its thread starts with {@link #start()}, after recovery registered what it found.
     *
     * @param remote the object-storage side of a remote lane (whose root is then a staging directory), or null.
     * @param lanes how many lanes the WAL has (a {@code MemoryOnly} lane keeps freed memory up to its share of
     *     {@code global_flush_threshold}).
     */
    public Lane(final int index, final String url, final Path root, final WalOptions options, final long writerId,
        final RemoteLane remote, final int lanes)
    {
        this.index = index;
        this.writerId = writerId;
        this.url = url;
        this.root = root;
        this.remote = remote;
        this.lanes = lanes;
        this.metrics = new LaneMetrics("lane " + index + " (" + url + ")", options.slowSyncMs());
        this.thresholdShare = options.globalFlushThresholdBytes() / lanes;
        final boolean inMemory = options.syncMode() == SyncMode.MemoryOnly;
        this.memory = inMemory ? new MemoryStore(thresholdShare) : null;
        this.directory = inMemory ? null : LaneDirectory.lock(index, url, root);
        SegmentManager files = null;
        ParallelForcer threads = null;
        BackgroundForcer background = null;
        try
        {
            final SegmentPool pool = inMemory || remote != null ? null : openPool(index, url, root, options);
            this.retention = new Retention(memory, remote, storedBytes, pool);
            files = new SegmentManager(index, options, writerId, memory, storedBytes, pool);
            threads = new ParallelForcer("spindle-sync-" + index, options.syncParallelism());
            final SyncMode mode = options.syncMode();
            background = !inMemory && mode == SyncMode.Never ? new BackgroundForcer("spindle-seal-" + index) : null;
            this.sealing = new Sealing(index, mode, memory, files, retention, remote, background, metrics);
            this.writer = new BatchWriter(this, files, sealing, threads, writerId, options);
            this.ring = new LaneRing(index, url, options, writer, this::fail);
        }
        catch (final RuntimeException | Error ex)
        {
            // a lane that cannot finish opening leaves no lock or thread
            release(files, threads, background, directory);
            throw ex;
        }
        this.segments = files;
        this.forcer = threads;
        this.sealForcer = background;
    }

    /**
     * The pool of freed segments of a local lane, or null when {@code recycle_segments = 0}. Remote lanes
     * have none: their sealed segments may still be read by an upload when a checkpoint frees them.
     */
    private static SegmentPool openPool(final int index, final String url, final Path root, final WalOptions options)
    {
        try
        {
            if (options.recycleSegments() == 0)
            {
                SegmentPool.discardLeftovers(root);
                return null;
            }
            // files much smaller than a segment (sealed early, by age or at close) are not worth keeping
            return SegmentPool.open(root, options.recycleSegments(), options.diskSegmentSizeBytes() / 4 * 3);
        }
        catch (final IOException ex)
        {
            throw new WalException("wal_urls[" + index + "] " + url + ": cannot open the freed segments in " +
                root.resolve(SegmentPool.DIRECTORY) + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Opening thread, before {@link #start()}: the writer epoch this writer holds in a remote lane's fence,
     * written in the header of every segment it creates.
     */
    public void epoch(final long epoch)
    {
        segments.epoch(epoch);
    }

    /**
     * Start the lane thread; returns once it runs.
     */
    public void start()
    {
        ring.start();
    }

    public int index()
    {
        return index;
    }

    /** @return the writer id of this open of the WAL (every lane's segment headers carry it). */
    long writerId()
    {
        return writerId;
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

    /** @return the object-storage side of this lane, or null for a local lane. */
    public RemoteLane remote()
    {
        return remote;
    }

    Retention retention()
    {
        return retention;
    }

    RingBuffer<EntrySlot> ring()
    {
        return ring.buffer();
    }

    /**
     * @return bytes appended to this lane and not yet acknowledged.
     */
    /** @return where this lane's thread records what it does. */
    LaneMetrics metrics()
    {
        return metrics;
    }

    /** @return what this lane (and its uploads) did so far; any thread. */
    public WalMetrics.Lane metricsSnapshot()
    {
        return metrics.snapshot(index, url, failure(), remote, inFlightBytes());
    }

    public long inFlightBytes()
    {
        final long done = doneBytes.get();    // read first: a later look at appendedBytes can only overstate
        return appendedBytes.get() - done;
    }

    /**
     * @return the bytes this lane's segments hold (LoadBalanced's tie break; MemoryOnly's memory use).
     */
    public long storedBytes()
    {
        return storedBytes.get();
    }

    /**
     * @return this lane's share of {@code global_flush_threshold} (the threshold divided by the lanes): under it, an
     *     appender admits on this lane's count alone.
     */
    long thresholdShare()
    {
        return thresholdShare;
    }

    /**
     * Number this lane's entries after {@code lastGlobalSequence}, the highest recovery found. Of N lanes, lane i
     * gives the numbers above it that leave i when divided by N, one per ring slot, in ring order: global
     * sequences are unique in the WAL and increase in each lane's write order, and no lane shares a counter with
     * another. Before start.
     */
    public void continueGlobalSequences(final long lastGlobalSequence)
    {
        final long next = Math.addExact(lastGlobalSequence, 1);
        globalFirst = next + Math.floorMod(index - next, (long)lanes);
    }

    /** Lane thread: the global sequence of the entry in ring slot {@code ringSequence}. */
    long globalSequence(final long ringSequence)
    {
        return globalFirst + ringSequence * lanes;
    }

    /** A producer is about to publish an entry of {@code bytes}. */
    void appending(final long bytes)
    {
        appendedBytes.addAndGet(bytes);
    }

    /** Lane thread: a batch of {@code bytes} is done (acknowledged or failed). */
    void batchDone(final long bytes)
    {
        if (bytes != 0)
        {
            doneBytes.set(doneBytes.get() + bytes);
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
     * Where the failure came from decides whether the collections of a remote lane may move ({@link Router}):
     * from the lane's own directory (for a remote lane its staging: writing, forcing, sealing or preallocating
     * there, found by the lane thread) they may; from its object store (another writer fenced this one, or another
     * object lies under a segment's key: handed over by an upload thread through {@link #requestFailure}) never.
     *
     * @return true when the lane failed, and the failure was handed over from its object store.
     */
    public boolean failedInObjectStore()
    {
        return failure != null && failedInObjectStore;
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

    /** @return every lane of the WAL, this one included. */
    Lane[] peers()
    {
        return peers;
    }

    /**
     * Any thread: the lane must fail because of its object store (an upload thread found this writer fenced, or
     * another writer's object under its prefix; {@link #failedInObjectStore}). The failure is handed to the lane
     * thread, which applies it at the end of its current batch; a tick makes sure a batch ends soon. The first
     * request wins; a lane that failed already keeps its first failure.
     */
    public void requestFailure(final String doing, final Throwable cause)
    {
        if (requestedFailure.compareAndSet(null, new FailureRequest(doing, cause)))
        {
            tick();
        }
    }

    /**
     * Lane thread, or the closing thread once the lane thread has stopped (uploads drained at close may
     * still request one): apply a failure another thread requested.
     */
    public void applyRequestedFailure()
    {
        final FailureRequest request = requestedFailure.get();
        if (request != null && failure == null)
        {
            failedInObjectStore = true;    // before fail() publishes the failure: a reader of it sees this too
            fail(request.doing(), request.cause());
        }
    }

    /**
     * Lane thread (or the closing thread after {@link #stop}): fail the lane. Every entry not yet acknowledged,
     * and every later one, fails with this cause. The log gets one ERROR line, which carries the cause's message;
     * the stack trace goes to DEBUG, since every failed append carries the cause itself (a command line shows
     * the line, and the trace only when asked to).
     */
    void fail(final String doing, final Throwable cause)
    {
        if (failure != null)
        {
            return;
        }
        final String message = "lane " + index + " (" + url + ") failed while " + doing + ": " +
            (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()) +
            "; entries not yet acknowledged on this lane are lost; reopen the WAL to recover";
        failure = new WalException(message, cause);
        LOG.error(message);
        LOG.debug("lane {}: the failure's cause", index, cause);
        try
        {
            sealing.abandonAwaiting();      // first: it waits for background forces of the segments it lets go
            segments.abandonAll(collections);
        }
        catch (final Throwable t)
        {
            LOG.warn("lane {}: error releasing files after failure: {}", index, t.toString());
            LOG.debug("lane {}: the error releasing files", index, t);
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
        final LaneCollection state = collection.laneState(index);
        return state != null ? state : register(collection);
    }

    /**
     * Register a collection found by recovery (before the lane starts) or seen for the first time.
     */
    public LaneCollection register(final CollectionState collection)
    {
        final Path dir = root.resolve(collection.name());
        final LaneCollection lc = new LaneCollection(this, collection, dir, memory == null && Files.isDirectory(dir));
        collection.laneState(index, lc);
        collections.add(lc);
        return lc;
    }

    List<LaneCollection> collections()
    {
        return collections;
    }

    /**
     * Set what recovery found for {@code lc} (before the lane starts): its last sequence and sealed segments.
     */
    public void recovered(final LaneCollection lc, final long lastSequence, final List<SealedSegment> sealed)
    {
        lc.lastWritten = lastSequence;
        lc.lastDurable = lastSequence;
        for (final SealedSegment s : sealed)
        {
            lc.sealed.put(s.firstSequence(), s);
            storedBytes.addAndGet(s.size());
        }
    }

    /**
     * Before the lane starts: delete {@code lc}'s sealed segments wholly at or below its checkpoint (sealed
     * after the checkpoint was written, or a crash came between the two).
     */
    public void deleteCheckpointed(final LaneCollection lc, final long checkpoint) throws IOException
    {
        retention.deleteCheckpointed(lc, checkpoint, true);
    }

    /**
     * Publish a timer tick if the ring has room (never blocks); nothing once the lane failed.
     */
    public void tick()
    {
        if (failure == null)
        {
            ring.tick();
        }
        metrics.slowSync().check(System.nanoTime());    // the timer thread's own work: is the disk slow?
    }

    /**
     * The timer's publishing thread about every second, the closing thread once more at close (after that thread
     * stopped): publish this lane's metrics for
     * other processes ({@link StatsFile}). A lane kept in memory has no directory to publish in.
     */
    public void publishMetrics(final boolean open)
    {
        if (memory != null)
        {
            return;
        }
        try
        {
            StatsFile.write(root, metricsSnapshot(), open);
        }
        catch (final IOException | RuntimeException ex)
        {
            if (publishLog.allow())
            {
                LOG.warn("{}: cannot publish its metrics in {}: {}{}", this, root.resolve(StatsFile.NAME),
                    ex.toString(), publishLog.suppressed());
            }
        }
    }

    /** @return whether this lane's fsync p99 over the last minute is above {@code slow_sync_ms}. */
    public boolean slow()
    {
        return metrics.slowSync().slow();
    }

    void laneThreadStarted()
    {
        ring.threadStarted();
    }

    void laneThreadStopped()
    {
        ring.threadStopped();
    }

    /**
     * Any thread but a lane thread, once the WAL is closing: whether the lane thread took ring slot
     * {@code ringSequence} before it stopped (waits until it has stopped); null when it did not stop in time.
     */
    Boolean tookBeforeStopping(final long ringSequence)
    {
        return ring.tookBeforeStopping(ringSequence);
    }

    /** @return whether the calling thread is this lane's thread. */
    boolean isLaneThread()
    {
        return ring.isLaneThread();
    }

    /**
     * Drain the ring and stop the lane thread. Afterwards the calling thread owns the lane's files.
     */
    public void stop()
    {
        ring.stop();
    }

    /**
     * Close, first phase (lane thread stopped): force everything written.
     */
    public void forceEverything() throws IOException
    {
        applyRequestedFailure();
        if (failure == null)
        {
            try
            {
                writer.forceEverything();
            }
            catch (final Throwable t)
            {
                fail("forcing everything on close", t);
                throw t;
            }
        }
    }

    /**
     * Close, second phase (every lane has forced): seal every active segment.
     */
    public void sealEverything() throws IOException
    {
        if (failure == null)
        {
            try
            {
                sealing.sealAll(collections);
            }
            catch (final Throwable t)
            {
                fail("sealing on close", t);
                throw t;
            }
        }
        else
        {
            sealing.abandonAwaiting();      // first: it waits for background forces of the segments it lets go
            segments.abandonAll(collections);
        }
    }

    /**
     * Release threads and the lock. Idempotent.
     */
    public void close()
    {
        release(segments, forcer, sealForcer, directory);
    }

    private static void release(final SegmentManager segments, final ParallelForcer forcer,
        final BackgroundForcer sealForcer, final LaneDirectory directory)
    {
        if (forcer != null)
        {
            forcer.close();
        }
        if (sealForcer != null)
        {
            sealForcer.close();
        }
        if (segments != null)
        {
            segments.close();
        }
        if (directory != null)
        {
            directory.close();
        }
    }

    @Override
    public String toString()
    {
        return "lane " + index + " (" + url + ")";
    }
}
