package dev.spindle.wal.internal;

import dev.spindle.wal.AckMode;
import dev.spindle.wal.Entry;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.WalException;
import dev.spindle.wal.WalMetrics;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.WalRecord;
import dev.spindle.wal.WalReplay;
import dev.spindle.wal.WalStats;
import dev.spindle.wal.internal.lane.Appender;
import dev.spindle.wal.internal.lane.CollectionState;
import dev.spindle.wal.internal.lane.Lane;
import dev.spindle.wal.internal.lane.LiveReplay;
import dev.spindle.wal.internal.lane.LiveStats;
import dev.spindle.wal.internal.lane.OpenGate;
import dev.spindle.wal.internal.lane.Retention;
import dev.spindle.wal.internal.lane.Watermark;
import dev.spindle.wal.internal.lane.WatermarkWaits;
import dev.spindle.wal.internal.recovery.Recovery;
import dev.spindle.wal.internal.segment.CollectionNames;
import dev.spindle.wal.internal.tail.Follower;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The running WAL behind {@link dev.spindle.wal.Wal}: opens the lanes (locks them, recovers what they hold,
 * starts their threads and the timer) and closes them. Everything in between is a room of its own, reached
 * through the one-line doors below: {@link Appender} (the append path), {@link WatermarkWaits},
 * {@link Retention} (checkpoints), {@link LiveReplay} and {@link LiveStats}.
 */
public final class WalEngine implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(WalEngine.class);
    /** The longest a tail waits without looking: the writer wakes it when an entry is acknowledged. */
    private static final long TAIL_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final WalOptions options;
    private final LaneSet set;
    private final Lane[] lanes;
    private final boolean[] remoteLanes;
    private final ConcurrentHashMap<String, CollectionState> collections = new ConcurrentHashMap<>();
    private final OpenGate gate = new OpenGate();
    private final Appender appender;
    private final WatermarkWaits waits;
    private final LaneTimer timer;
    private final java.util.Set<Follower> tails = ConcurrentHashMap.newKeySet();
    private final List<String> recoveryNotes;

    private WalEngine(final WalOptions options, final LaneSet set, final List<String> notes)
    {
        this.options = options;
        this.set = set;
        this.lanes = set.lanes;
        this.recoveryNotes = notes;
        this.remoteLanes = new boolean[lanes.length];
        for (int i = 0; i < lanes.length; i++)
        {
            remoteLanes[i] = lanes[i].remote() != null;
        }
        this.appender = new Appender(lanes, options, gate);
        this.waits = new WatermarkWaits(lanes, gate, options.syncMode() == SyncMode.MemoryOnly);
        this.timer = new LaneTimer(lanes, options);
    }

    /**
     * Lock the lanes, recover what they hold, start the lane threads.
     */
    public static WalEngine open(final WalOptions options)
    {
        final LaneSet set;
        try
        {
            set = LaneSet.open(options, new SecureRandom().nextLong());
        }
        catch (final IOException ex)
        {
            throw new WalException("cannot open the WAL: " + ex.getMessage(), ex);
        }
        try
        {
            final Recovery.Result recovered;
            if (options.syncMode().writesFiles())
            {
                recovered = Recovery.scan(set.roots, options, set.listings, false);
                recovered.notes.addAll(set.listingNotes);
            }
            else
            {
                recovered = new Recovery.Result();
                set.roots.forEach(r -> recovered.lanes.add(Map.of()));
            }
            final WalEngine engine = new WalEngine(options, set, recovered.notes);
            engine.appender.recovered(new Adoption(set.lanes, set.listings, engine::newState,
                engine.appender.router(), options.collectionAffinity()).adopt(recovered, engine.collections));
            LOG.info("{}", summary(options, set.lanes, engine.collections.size(), recovered.notes));
            for (final String note : recovered.notes)
            {
                LOG.debug("recovery: {}", note);    // all of them in Wal.recoveryNotes()
            }
            for (final Lane lane : set.lanes)
            {
                lane.start();
            }
            engine.timer.start();
            return engine;
        }
        catch (final IOException ex)
        {
            stopAndRelease(set);
            throw new WalException("cannot open the WAL: " + ex.getMessage(), ex);
        }
        catch (final RuntimeException ex)
        {
            stopAndRelease(set);
            throw ex;
        }
    }

    /**
     * @return the one line an open logs: the lanes, the modes, and what recovery found.
     */
    private static String summary(final WalOptions options, final Lane[] lanes, final int collections,
        final List<String> notes)
    {
        final StringBuilder line = new StringBuilder("opened ").append(lanes.length).append(" lane(s):");
        for (final Lane lane : lanes)
        {
            line.append(lane.index() == 0 ? " " : ", ").append(lane.index()).append(' ').append(lane.url())
                .append(lane.remote() != null ? " (remote, staged in " + lane.root() + ")" : "");
        }
        line.append("; sync_mode=").append(options.syncMode()).append(", io_mode=").append(options.ioMode())
            .append(", codec=").append(options.codec())
            .append(options.codecLevel() == 0 ? "" : " level " + options.codecLevel())
            .append(", collection_affinity=").append(options.collectionAffinity())
            .append(", distribution_strategy=").append(options.distributionStrategy())
            .append(", recovery_mode=").append(options.recoveryMode());
        if (options.walUrls().stream().anyMatch(dev.spindle.wal.internal.remote.LaneUrls::isRemote))
        {
            line.append(", ack=").append(options.ack());
        }
        line.append("; recovered ").append(collections).append(" collection(s)");
        if (notes.isEmpty())
        {
            line.append(", nothing to note");
        }
        else
        {
            line.append(", ").append(notes.size()).append(" note(s) (Wal.recoveryNotes(); each at DEBUG), the first: ")
                .append(notes.get(0));
        }
        return line.toString();
    }

    /**
     * Open failed after the lanes were opened: stop the lane threads that started (their rings are empty) and
     * release everything.
     */
    private static void stopAndRelease(final LaneSet set)
    {
        for (final Lane lane : set.lanes)
        {
            lane.stop();
        }
        set.release();
    }

    private CollectionState newState(final String name)
    {
        return new CollectionState(name, lanes.length, options.syncMode().acknowledgesDurable(), remoteLanes,
            options.ack() == AckMode.remote);
    }

    public WalOptions options()
    {
        return options;
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
            if (lane.memory() == null && Files.isSymbolicLink(lane.root().resolve(name)))
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

    /** @see Appender#append */
    public long append(final CollectionState collection, final Entry entry, final CompletableFuture<Long> future)
    {
        return appender.append(collection, entry, future);
    }

    /** @see WatermarkWaits#await */
    public boolean await(final CollectionState collection, final long sequence, final Watermark mark,
        final long timeoutNanos)
    {
        return waits.await(collection, sequence, mark, timeoutNanos);
    }

    /** @see Retention#checkpoint(Lane[], CollectionState, long, OpenGate) */
    public void checkpoint(final CollectionState collection, final long sequence)
    {
        Retention.checkpoint(lanes, collection, sequence, gate);
    }

    /** @see LiveReplay#open */
    public WalReplay replay(final CollectionState collection, final long fromSequence)
    {
        return LiveReplay.open(lanes, collection, fromSequence, gate);
    }

    /**
     * Follow {@code collection} from {@code fromSequence} on its own thread ({@link Follower#live}); closed with
     * this WAL.
     */
    public Follower tail(final CollectionState collection, final long fromSequence, final Consumer<WalRecord> handler)
    {
        gate.checkOpen();
        final Follower follower = Follower.live(lanes, collection, waits, fromSequence, handler, TAIL_POLL_NANOS);
        tails.add(follower);
        tails.removeIf(f -> !f.isRunning());
        if (gate.isClosed())
        {
            follower.close();    // closed meanwhile: close() may have passed the list already
        }
        return follower;
    }

    /** @see dev.spindle.wal.Wal#metrics() */
    public WalMetrics metrics()
    {
        final List<WalMetrics.Lane> each = new ArrayList<>(lanes.length);
        for (final Lane lane : lanes)
        {
            each.add(lane.metricsSnapshot());
        }
        return new WalMetrics(List.copyOf(each));
    }

    /**
     * @return per lane and collection: segments, bytes, sequences and watermarks.
     */
    public WalStats stats()
    {
        return LiveStats.of(lanes, collections.values(), options.syncMode() == SyncMode.MemoryOnly);
    }

    /**
     * Stop the lanes (draining their rings), force everything, seal every active segment, give uploads up to
     * {@code upload_close_timeout_ms} (what is left stays in staging and is uploaded at the next open), settle
     * every future, release threads and locks.
     */
    @Override
    public void close()
    {
        if (!gate.close())
        {
            return;
        }
        // the closing thread forces, truncates and renames files: an interrupt would make each of those throw
        // ClosedByInterruptException (and close the channel), so it is held back until close ends
        final boolean interrupted = Thread.interrupted();
        try
        {
            closeOnce();
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void closeOnce()
    {
        tails.forEach(Follower::stop);    // all at once: each may wait for its handler, up to 10 s together
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        tails.forEach(f -> f.join(deadline));
        timer.close();
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
            }
        }
        UploadDrain.drain(lanes, options.uploadCloseTimeoutMs());
        for (final Lane lane : lanes)
        {
            lane.publishMetrics(false);    // the last words: what the lane did, for spindle stats after the close
        }
        for (final Lane lane : lanes)
        {
            lane.applyRequestedFailure();   // a conflict found by an upload drained just now
        }
        for (final CollectionState collection : collections.values())
        {
            collection.completeDeferredAcks();
            collection.failDeferredAcks(new WalException("the WAL was closed"));
        }
        errors.addAll(set.release());
        if (!errors.isEmpty())
        {
            final Throwable first = errors.get(0);
            final WalException ex = new WalException("closing the WAL failed: " + (first.getMessage() == null ?
                first.toString() : first.getMessage()), first);
            errors.stream().skip(1).forEach(ex::addSuppressed);
            throw ex;
        }
    }
}
