package dev.spindle.wal.internal;

import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import dev.spindle.wal.Entry;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.WalException;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.WalReplay;
import dev.spindle.wal.WalStats;
import dev.spindle.wal.internal.lane.Lane;
import dev.spindle.wal.internal.lane.LaneCollection;
import dev.spindle.wal.internal.lane.Router;
import dev.spindle.wal.internal.lane.SealedSegment;
import dev.spindle.wal.internal.recovery.CollectionScan;
import dev.spindle.wal.internal.recovery.Recovery;
import dev.spindle.wal.internal.recovery.TailScan;
import dev.spindle.wal.internal.replay.MergedReplay;
import dev.spindle.wal.internal.replay.SegmentRef;
import dev.spindle.wal.internal.segment.ActiveSegment;
import dev.spindle.wal.internal.segment.SegmentReader;
import dev.spindle.wal.internal.upload.RemoteChannel;
import dev.spindle.wal.internal.upload.RemoteLane;
import dev.spindle.wal.internal.upload.RemoteLanes;
import dev.spindle.wal.internal.upload.RemoteListing;
import dev.spindle.wal.internal.upload.Uploader;
import dev.spindle.fs.WalFileSystem;
import dev.spindle.wal.AckMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The running WAL behind {@link dev.spindle.wal.Wal}: lanes, collections, the append path, the timer.
 *
 * <p>Append path (producer thread, no allocation): bound the entry's encoded size; wait while the
 * bytes in flight over all lanes exceed {@code global_flush_threshold}; route to a lane; under the
 * collection's spin lock claim a ring slot ({@code tryNext}, never blocking) and take the next
 * sequence; copy the entry into the slot; publish.
 */
public final class WalEngine implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(WalEngine.class);

    private final WalOptions options;
    private final Lane[] lanes;
    private final Router router;
    private final long writerId;
    private final boolean ackDurable;
    private final ConcurrentHashMap<String, CollectionState> collections = new ConcurrentHashMap<>();
    private final AtomicLong globalSequence = new AtomicLong();
    private final ScheduledExecutorService ticker;
    private final List<String> recoveryNotes;
    private final boolean[] remoteLanes;
    private final boolean ackRemote;
    private final Map<String, Uploader> uploaders;
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();

    private WalEngine(final WalOptions options, final Lane[] lanes, final long writerId, final List<String> notes,
        final Map<String, Uploader> uploaders)
    {
        this.uploaders = uploaders;
        this.remoteLanes = new boolean[lanes.length];
        for (int i = 0; i < lanes.length; i++)
        {
            remoteLanes[i] = lanes[i].remote() != null;
        }
        this.ackRemote = options.ack() == AckMode.remote;
        this.options = options;
        this.lanes = lanes;
        this.writerId = writerId;
        this.ackDurable = options.syncMode().acknowledgesDurable();
        this.router = new Router(lanes, options.distributionStrategy(), options.collectionAffinity());
        this.recoveryNotes = notes;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "spindle-ticker");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Lock the lanes, recover what they hold, start the lane threads.
     */
    public static WalEngine open(final WalOptions options)
    {
        final List<Path> roots = LaneUrls.resolve(options.walUrls(), options.stagingDir());
        final long writerId = new SecureRandom().nextLong();
        final Lane[] lanes = new Lane[roots.size()];
        final RemoteLane[] remotes = new RemoteLane[roots.size()];
        final Map<String, Uploader> uploaders = new java.util.TreeMap<>();
        try
        {
            final List<RemoteListing> listings = new ArrayList<>();
            final List<String> listingNotes = new ArrayList<>();
            for (int i = 0; i < lanes.length; i++)
            {
                final String url = options.walUrls().get(i);
                RemoteListing listing = null;
                if (LaneUrls.isRemote(url))
                {
                    if (!options.syncMode().writesFiles())
                    {
                        throw new WalException("wal_urls[" + i + "] = \"" + url + "\": sync_mode MemoryOnly keeps no " +
                            "files, so a remote lane would upload nothing; use a local path or another sync_mode");
                    }
                    final WalFileSystem fs = RemoteLanes.open(i, url, options);
                    final Uploader uploader = uploaders.computeIfAbsent(LaneUrls.backend(url), b -> new Uploader(b,
                        options.uploadConcurrency(), options.uploadRetryBaseMs(), options.uploadRetryMaxMs()));
                    remotes[i] = new RemoteLane(i, url, fs, roots.get(i), uploader, options.uploadQueueBytes(),
                        options.keepStagedSegments());
                    final int index = i;
                    remotes[i].onConflict((what, cause) -> lanes[index].fail(what, cause));
                    listing = RemoteListing.list(fs, url, roots.get(i), listingNotes);
                }
                listings.add(listing);
                lanes[i] = new Lane(i, url, roots.get(i), options, writerId);
                if (remotes[i] != null)
                {
                    lanes[i].remote(remotes[i]);
                }
            }
            final Recovery.Result recovered;
            if (options.syncMode().writesFiles())
            {
                recovered = Recovery.scan(roots, options.recoveryMode(), listings);
                recovered.notes.addAll(listingNotes);
            }
            else
            {
                recovered = new Recovery.Result();
                roots.forEach(r -> recovered.lanes.add(Map.of()));
            }
            for (final Lane lane : lanes)
            {
                lane.peers(lanes);
            }
            final WalEngine engine = new WalEngine(options, lanes, writerId, recovered.notes, uploaders);
            engine.adopt(recovered, listings);
            for (final String note : recovered.notes)
            {
                LOG.warn("recovery: {}", note);
            }
            for (final Lane lane : lanes)
            {
                lane.start();
            }
            engine.startTicker();
            return engine;
        }
        catch (final IOException ex)
        {
            closeQuietly(lanes);
            closeQuietly(remotes, uploaders);
            throw new WalException("cannot open the WAL: " + ex.getMessage(), ex);
        }
        catch (final RuntimeException ex)
        {
            closeQuietly(lanes);
            closeQuietly(remotes, uploaders);
            throw ex;
        }
    }

    private static void closeQuietly(final RemoteLane[] remotes, final Map<String, Uploader> uploaders)
    {
        uploaders.values().forEach(Uploader::close);
        for (final RemoteLane remote : remotes)
        {
            if (remote != null)
            {
                try
                {
                    remote.close();
                }
                catch (final IOException | RuntimeException ex)
                {
                    LOG.warn("closing {}: {}", remote.url(), ex.toString());
                }
            }
        }
    }

    private CollectionState newState(final String name)
    {
        return new CollectionState(name, lanes.length, ackDurable, remoteLanes, ackRemote);
    }

    private static long lastGlobalSequence(final Lane lane, final String collection, final SealedSegment segment)
        throws IOException
    {
        final RemoteLane remote = lane.remote();
        if (remote == null || java.nio.file.Files.exists(segment.path()))
        {
            return Recovery.lastGlobalSequence(segment);
        }
        try (SegmentReader reader = new SegmentReader(segment.path(), new RemoteChannel(remote.fileSystem(),
            RemoteListing.key(collection, segment.path().getFileName().toString()))))
        {
            return Recovery.lastGlobalSequence(reader);
        }
    }

    private static void closeQuietly(final Lane[] lanes)
    {
        for (final Lane lane : lanes)
        {
            if (lane != null)
            {
                lane.close();
            }
        }
    }

    private void adopt(final Recovery.Result recovered, final List<RemoteListing> listings) throws IOException
    {
        long maxGlobal = 0;
        for (int l = 0; l < recovered.lanes.size(); l++)
        {
            final Map<String, CollectionScan> lane = recovered.lanes.get(l);
            for (final CollectionScan scan : lane.values())
            {
                for (final TailScan tail : scan.tails)
                {
                    maxGlobal = Math.max(maxGlobal, tail.lastGlobalSequence());
                }
                SealedSegment newest = null;
                for (final SealedSegment s : scan.sealed)
                {
                    if (newest == null || s.lastSequence() > newest.lastSequence())
                    {
                        newest = s;
                    }
                }
                if (newest != null)
                {
                    maxGlobal = Math.max(maxGlobal, lastGlobalSequence(lanes[l], scan.name, newest));
                }
            }
        }
        Recovery.repair(recovered);
        globalSequence.set(maxGlobal);

        final List<Object[]> toUpload = new ArrayList<>();
        for (final String name : recovered.collectionNames())
        {
            final CollectionState state = newState(name);
            final long[] lastPerLane = new long[lanes.length];
            final long[] remotePerLane = new long[lanes.length];
            long last = 0;
            long checkpoint = 0;
            int newestLane = -1;
            for (int l = 0; l < lanes.length; l++)
            {
                final CollectionScan scan = recovered.lanes.get(l).get(name);
                if (scan == null)
                {
                    continue;
                }
                final LaneCollection lc = lanes[l].register(state, false);
                for (final SealedSegment s : scan.sealed)
                {
                    lc.sealed().put(s.firstSequence(), s);
                }
                lastPerLane[l] = scan.lastSequence();
                remotePerLane[l] = lastPerLane[l];
                final RemoteLane remote = lanes[l].remote();
                if (remote != null)
                {
                    final java.util.TreeMap<Long, SealedSegment> inStore = listings.get(l).segments.get(name);
                    for (final SealedSegment s : scan.sealed)
                    {
                        final SealedSegment remoteCopy = inStore == null ? null : inStore.get(s.firstSequence());
                        if (remoteCopy != null && remoteCopy.lastSequence() == s.lastSequence() &&
                            !java.nio.file.Files.exists(s.path()))
                        {
                            remote.adoptUploaded(lc, s);    // only in the store
                        }
                        else
                        {
                            toUpload.add(new Object[]{remote, lc, s});
                        }
                    }
                    remotePerLane[l] = RemoteLane.uploadedPrefix(lc);
                }
                lanes[l].recovered(lc, lastPerLane[l], scan.sealed);
                checkpoint = Math.max(checkpoint, scan.checkpoint);
                if (newestLane < 0 || lastPerLane[l] > lastPerLane[newestLane])
                {
                    newestLane = l;
                }
                last = Math.max(last, lastPerLane[l]);
            }
            state.recovered(Math.max(last, checkpoint), lastPerLane, remotePerLane, checkpoint);
            for (int l = 0; l < lanes.length; l++)
            {
                final Object lc = state.laneState(l);
                if (lc != null && checkpoint > 0)
                {
                    lanes[l].deleteCheckpointed((LaneCollection)lc, checkpoint); // sealed after the checkpoint, or a crash between
                }
            }
            if (options.collectionAffinity() && newestLane >= 0)
            {
                state.assignLane(newestLane);
            }
            collections.put(name, state);
        }
        for (final Object[] upload : toUpload)
        {
            final LaneCollection lc = (LaneCollection)upload[1];
            final SealedSegment s = (SealedSegment)upload[2];
            if (lc.sealed().containsKey(s.firstSequence()))
            {
                // sealed before the last close or crash and not uploaded, or uploaded and still staged: the upload
                // finds the object, compares its bytes with the staged copy, and only then deletes the copy
                ((RemoteLane)upload[0]).enqueue(lc, s);
            }
        }
    }

    private void startTicker()
    {
        long interval = 1000;
        if (options.syncMode() == SyncMode.Periodic)
        {
            interval = Math.min(interval, options.flushIntervalMs());
        }
        if (options.segmentMaxAgeMs() > 0)
        {
            interval = Math.min(interval, Math.max(10, options.segmentMaxAgeMs() / 10));
        }
        ticker.scheduleAtFixedRate(() -> {
            for (final Lane lane : lanes)
            {
                lane.tick();
            }
        }, interval, interval, TimeUnit.MILLISECONDS);
    }

    public WalOptions options()
    {
        return options;
    }

    public Lane[] lanes()
    {
        return lanes;
    }

    public List<String> recoveryNotes()
    {
        return recoveryNotes;
    }

    /**
     * @return the state of collection {@code name}, created (not yet on disk) on first use.
     * @throws IllegalArgumentException when the name is not a valid collection name.
     */
    public CollectionState collection(final String name)
    {
        final CollectionState existing = collections.get(name);
        if (existing != null)
        {
            return existing;
        }
        CollectionNames.validate(name);
        for (final Lane lane : lanes)
        {
            if (lane.memory() == null && java.nio.file.Files.isSymbolicLink(lane.root().resolve(name)))
            {
                throw new IllegalArgumentException(lane.root().resolve(name) + " is a symbolic link: Spindle keeps " +
                    "every file inside its lane directories and does not follow links there");
            }
        }
        return collections.computeIfAbsent(name, this::newState);
    }

    public Collection<CollectionState> collections()
    {
        return collections.values();
    }

    /**
     * Append {@code entry} to {@code collection}.
     *
     * @param future completed when the entry is acknowledged, or null.
     * @return the entry's sequence.
     */
    public long append(final CollectionState collection, final Entry entry, final CompletableFuture<Long> future)
    {
        checkOpen();
        final long bound = EntrySlot.encodedBound(entry, collection.nameUtf8().length);
        if (bound > options.maxEntrySizeBytes())
        {
            throw new IllegalArgumentException("entry of up to " + bound + " encoded bytes exceeds " +
                "max_entry_size_bytes (" + options.maxEntrySizeBytes() + ") for collection " + collection.name());
        }
        awaitCapacity(bound);
        final int stuck = Lane.failedPending(lanes, collection, false);
        if (stuck >= 0)
        {
            throw new WalException("collection " + collection.name() + " has an entry on failed lane " + stuck +
                ": no later entry could be acknowledged; reopen the WAL", lanes[stuck].failure());
        }
        final int laneIndex = router.laneFor(collection);
        final Lane lane = lanes[laneIndex];
        final RemoteLane remote = lane.remote();
        if (remote != null && !remote.hasCapacity())
        {
            awaitUploads(lane, remote);
        }
        final RingBuffer<EntrySlot> ring = lane.ring();
        long ringSequence;
        long sequence;
        long global;
        int attempts = 0;
        while (true)
        {
            lane.checkHealthy();
            checkOpen();
            collection.lock();
            try
            {
                ringSequence = ring.tryNext();
            }
            catch (final InsufficientCapacityException full)
            {
                collection.unlock();
                backoff(++attempts);
                continue;
            }
            sequence = collection.assignLocked(laneIndex);
            global = globalSequence.incrementAndGet();
            collection.unlock();
            break;
        }
        final EntrySlot slot = ring.get(ringSequence);
        try
        {
            slot.copy(entry, collection, sequence, global, System.currentTimeMillis() * 1000, (int)bound, future);
        }
        catch (final Throwable t)
        {
            slot.kind = EntrySlot.ABORTED;
            slot.future = null;
            ring.publish(ringSequence);
            throw new WalException("could not copy an entry of " + collection.name() + " into " + lane, t);
        }
        lane.appending(bound);
        ring.publish(ringSequence);
        return sequence;
    }

    /**
     * Spin, then yield, then park with a growing interval up to 200 µs; allocation-free.
     *
     * @return the next step.
     */
    private static int awaitBackoff(final int step)
    {
        if (step < 100)
        {
            Thread.onSpinWait();
        }
        else if (step < 110)
        {
            Thread.yield();
        }
        else
        {
            java.util.concurrent.locks.LockSupport.parkNanos(Math.min(200_000L, 1_000L << Math.min(8, step - 110)));
        }
        return step + 1;
    }

    private static void backoff(final int attempt)
    {
        if (attempt < 10)
        {
            Thread.onSpinWait();
        }
        else if (attempt < 20)
        {
            Thread.yield();
        }
        else
        {
            java.util.concurrent.locks.LockSupport.parkNanos(Math.min(100_000, attempt * 1_000L));
        }
    }

    private void awaitCapacity(final long bytes)
    {
        final long threshold = options.globalFlushThresholdBytes();
        if (options.syncMode() == SyncMode.MemoryOnly)
        {
            long held = 0;
            for (final Lane lane : lanes)
            {
                held += lane.storedBytes() + lane.inFlightBytes();
            }
            if (held + bytes > threshold)
            {
                throw new WalException("MemoryOnly WAL holds about " + held + " bytes, global_flush_threshold is " +
                    threshold + ": checkpoint collections to free memory");
            }
            return;
        }
        int attempts = 0;
        while (true)
        {
            long inFlight = 0;
            for (final Lane lane : lanes)
            {
                inFlight += lane.inFlightBytes();
            }
            if (inFlight == 0 || inFlight + bytes <= threshold)
            {
                return;
            }
            checkOpen();
            backoff(++attempts);
        }
    }

    /**
     * Back-pressure: the lane's staged, not yet uploaded bytes are over {@code upload_queue_bytes}.
     */
    private void awaitUploads(final Lane lane, final RemoteLane remote)
    {
        int attempts = 0;
        while (!remote.hasCapacity())
        {
            checkOpen();
            lane.checkHealthy();
            attempts = awaitBackoff(attempts);
        }
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new WalException("the WAL is closed");
        }
    }

    /**
     * Block until {@code collection}'s acknowledged (or durable) watermark reaches {@code sequence}.
     *
     * @param timeoutNanos how long at most; negative for no limit.
     * @return true when reached, false on timeout.
     */
    public boolean await(final CollectionState collection, final long sequence, final boolean durable,
        final long timeoutNanos)
    {
        return await(collection, sequence, durable ? DURABLE : ACKNOWLEDGED, timeoutNanos);
    }

    /** Watermarks {@link #await(CollectionState, long, int, long)} can wait for. */
    public static final int ACKNOWLEDGED = 0;
    public static final int DURABLE = 1;
    public static final int REMOTE_DURABLE = 2;

    private static long mark(final CollectionState collection, final int kind)
    {
        switch (kind)
        {
            case DURABLE:
                return collection.durableSequence();
            case REMOTE_DURABLE:
                return collection.remoteDurableSequence();
            default:
                return collection.acknowledgedSequence();
        }
    }

    /**
     * Block until {@code collection}'s watermark {@code kind} reaches {@code sequence}.
     *
     * @param timeoutNanos how long at most; negative for no limit.
     * @return true when reached, false on timeout.
     */
    public boolean await(final CollectionState collection, final long sequence, final int kind,
        final long timeoutNanos)
    {
        final boolean durable = kind != ACKNOWLEDGED;
        if (sequence > collection.lastAssigned())
        {
            throw new IllegalArgumentException("sequence " + sequence + " of " + collection.name() +
                " has not been appended (last is " + collection.lastAssigned() + ")");
        }
        if (durable && options.syncMode() == SyncMode.MemoryOnly)
        {
            throw new IllegalStateException("sync_mode = MemoryOnly never makes entries durable");
        }
        final long deadline = timeoutNanos < 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutNanos;
        int idle = 0;
        while (true)
        {
            final long mark = mark(collection, kind);
            if (mark >= sequence)
            {
                return true;
            }
            final int failed = Lane.failedPending(lanes, collection, durable);
            if (failed >= 0)
            {
                lanes[failed].checkHealthy();
            }
            if (closed)
            {
                final long after = mark(collection, kind);
                if (after >= sequence)
                {
                    return true;
                }
                throw new WalException("the WAL was closed before " + collection.name() + "#" + sequence +
                    " was acknowledged");
            }
            if (timeoutNanos >= 0 && System.nanoTime() - deadline >= 0)
            {
                return false;
            }
            idle = awaitBackoff(idle);
        }
    }

    /**
     * Record durably that everything of {@code collection} up to {@code sequence} is flushed by the
     * caller, and delete sealed segments wholly at or below it.
     */
    public void checkpoint(final CollectionState collection, final long sequence)
    {
        checkOpen();
        final long acknowledged = collection.acknowledgedSequence();
        if (sequence < 0 || sequence > acknowledged)
        {
            throw new IllegalArgumentException("checkpoint " + sequence + " of " + collection.name() +
                " is outside 0.." + acknowledged + " (the acknowledged sequences)");
        }
        synchronized (collection)
        {
            if (sequence <= collection.checkpointSequence())
            {
                return;
            }
            try
            {
                for (final Lane lane : lanes)
                {
                    final LaneCollection lc = (LaneCollection)collection.laneState(lane.index());
                    if (lc != null)
                    {
                        lane.checkpoint(lc, sequence);
                    }
                }
            }
            catch (final IOException ex)
            {
                throw new WalException("cannot checkpoint " + collection.name() + " at " + sequence + ": " +
                    ex.getMessage(), ex);
            }
            collection.checkpointSequence(sequence);
        }
    }

    /**
     * Replay {@code collection} from {@code fromSequence} up to its acknowledged watermark now.
     */
    public WalReplay replay(final CollectionState collection, final long fromSequence)
    {
        checkOpen();
        final long max = collection.acknowledgedSequence();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true)
        {
            final List<SegmentRef> refs = new ArrayList<>();
            for (final Lane lane : lanes)
            {
                final LaneCollection lc = (LaneCollection)collection.laneState(lane.index());
                if (lc != null)
                {
                    lane.segmentRefs(lc, max, refs);
                }
            }
            final List<SegmentRef> missing = new ArrayList<>();
            final MergedReplay replay = new MergedReplay(refs, collection.name(), fromSequence, missing);
            final long checkpoint = collection.checkpointSequence();
            // a sealed segment may vanish under a checkpoint: fine. Anything else moved while we looked
            // (an active segment being sealed and renamed): look again.
            if (missing.stream().allMatch(r -> r.sealed() && r.lastSequence() <= checkpoint))
            {
                return replay;
            }
            replay.close();
            if (System.nanoTime() - deadline >= 0)
            {
                throw new WalException("cannot replay " + collection.name() + ": segments kept moving (" + missing + ")");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
        }
    }

    /**
     * @return per lane and collection: segments, bytes, sequences and watermarks.
     */
    public WalStats stats()
    {
        final List<WalStats.LaneStats> laneStats = new ArrayList<>();
        for (final Lane lane : lanes)
        {
            final List<WalStats.CollectionStats> list = new ArrayList<>();
            for (final CollectionState c : new java.util.TreeMap<>(collections).values())
            {
                final LaneCollection lc = (LaneCollection)c.laneState(lane.index());
                if (lc == null)
                {
                    continue;
                }
                int sealed = 0;
                long bytes = 0;
                long first = Long.MAX_VALUE;
                for (final SealedSegment s : lc.sealed().values())
                {
                    sealed++;
                    bytes += s.size();
                    first = Math.min(first, s.firstSequence());
                }
                int active = 0;
                final List<ActiveSegment> open = new ArrayList<>(lc.awaitingSealSnapshot());
                if (lc.activeForReaders() != null)
                {
                    open.add(lc.activeForReaders());
                }
                for (final ActiveSegment a : open)
                {
                    active++;
                    bytes += a.readableLimit();
                    first = Math.min(first, a.firstSequence());
                }
                list.add(new WalStats.CollectionStats(c.name(), sealed, active, bytes,
                    first == Long.MAX_VALUE ? 0 : first, c.laneDurableSequence(lane.index()) ,
                    c.acknowledgedSequence(), options.syncMode() == SyncMode.MemoryOnly ? 0 : c.durableSequence(),
                    c.checkpointSequence(), options.syncMode() == SyncMode.MemoryOnly ? 0 : c.remoteDurableSequence(),
                    lc.uploaded().size()));
            }
            final WalException failure = lane.failure();
            final RemoteLane remote = lane.remote();
            WalStats.UploadStats upload = null;
            if (remote != null)
            {
                final long[] lag = remote.lagPercentiles();
                upload = new WalStats.UploadStats(remote.pendingSegments(), remote.pendingBytes(),
                    remote.oldestPendingMs(), remote.uploadedSegments(), remote.uploadedBytes(), remote.failedAttempts(),
                    lag[0], lag[1], remote.lastError());
            }
            laneStats.add(new WalStats.LaneStats(lane.index(), lane.url(), lane.root().toString(),
                failure == null ? null : failure.getMessage(), lane.inFlightBytes(), list, upload));
        }
        return new WalStats(laneStats);
    }

    /**
     * Close: give pending uploads up to {@code upload_close_timeout_ms}; what is left stays in staging and is
     * uploaded at the next open.
     */
    private void drainUploads()
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.uploadCloseTimeoutMs());
        for (final Lane lane : lanes)
        {
            final RemoteLane remote = lane.remote();
            if (remote == null)
            {
                continue;
            }
            try
            {
                final int left = remote.drain(Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                if (left > 0)
                {
                    LOG.warn("closing with {} segment(s) of {} not uploaded yet ({}); they stay in {} and are " +
                        "uploaded at the next open", left, remote.url(), remote.lastError(), remote.stagingRoot());
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close()
    {
        if (!closing.compareAndSet(false, true))
        {
            return;
        }
        closed = true;
        ticker.shutdownNow();
        for (final Lane lane : lanes)
        {
            lane.stop();
        }
        final List<Throwable> errors = new ArrayList<>();
        for (final Lane lane : lanes)
        {
            try
            {
                lane.forceEverything();
            }
            catch (final Throwable t)
            {
                errors.add(t);
                lane.fail("forcing everything on close", t);
            }
        }
        for (final Lane lane : lanes)
        {
            try
            {
                lane.sealEverything();
            }
            catch (final Throwable t)
            {
                errors.add(t);
                lane.fail("sealing on close", t);
            }
        }
        drainUploads();
        for (final CollectionState collection : collections.values())
        {
            collection.completeDeferredAcks();
            collection.failDeferredAcks(new WalException("the WAL was closed"));
        }
        for (final Lane lane : lanes)
        {
            lane.close();
        }
        uploaders.values().forEach(Uploader::close);
        for (final Lane lane : lanes)
        {
            if (lane.remote() != null)
            {
                try
                {
                    lane.remote().close();
                }
                catch (final IOException | RuntimeException ex)
                {
                    errors.add(ex);
                }
            }
        }
        if (!errors.isEmpty())
        {
            final WalException ex = new WalException("closing the WAL failed: " + errors.get(0).getMessage(),
                errors.get(0));
            errors.stream().skip(1).forEach(ex::addSuppressed);
            throw ex;
        }
    }
}
