package dev.spindle.wal;

import dev.spindle.wal.internal.lane.CollectionState;
import dev.spindle.wal.internal.WalEngine;

import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A write-ahead log over one or more lanes ({@code wal_urls}). Open it, append to named collections,
 * wait for acknowledgements, replay after a restart, checkpoint what you have flushed, close it.
 *
 * <pre>{@code
 * try (Wal wal = Wal.open(WalOptions.builder().walUrls("/mnt/nvme1/wal", "/mnt/nvme2/wal").build())) {
 *     WalCollection orders = wal.collection("orders");
 *     Entry entry = new Entry().key(k).value(v);
 *     long sequence = orders.append(entry);
 *     orders.awaitAcknowledged(sequence);          // durable with the default PerBatch
 *     try (WalReplay replay = orders.replay(1)) {
 *         replay.forEachRemaining(record -> apply(record));
 *     }
 * }
 * }</pre>
 *
 * Opening runs recovery: torn tails of active segments are cut at the last whole entry and sealed;
 * corruption elsewhere stops the open with an error naming file and offset. Closing drains every
 * lane, forces and seals every active segment. Thread-safe.
 */
public final class Wal implements AutoCloseable
{
    private final WalEngine engine;
    private final ConcurrentHashMap<String, WalCollection> handles = new ConcurrentHashMap<>();

    private Wal(final WalEngine engine)
    {
        this.engine = engine;
    }

    /**
     * Open (and recover) the WAL.
     *
     * @throws WalException when a lane is locked by another process, a URL is not usable, or recovery
     *     finds corruption it may not cut.
     */
    public static Wal open(final WalOptions options)
    {
        return new Wal(WalEngine.open(options));
    }

    /**
     * @param name {@code [A-Za-z0-9][A-Za-z0-9_.-]{0,127}}.
     * @throws IllegalArgumentException for any other name.
     */
    public WalCollection collection(final String name)
    {
        final WalCollection handle = handles.get(name);
        if (handle != null)
        {
            return handle;
        }
        final CollectionState state = engine.collection(name);
        return handles.computeIfAbsent(name, n -> new WalCollection(engine, state));
    }

    /**
     * Same as {@code collection(collection).append(entry)}.
     */
    public long append(final String collection, final Entry entry)
    {
        return collection(collection).append(entry);
    }

    /**
     * Same as {@code collection(collection).appendAsync(entry)}.
     */
    public CompletableFuture<Long> appendAsync(final String collection, final Entry entry)
    {
        return collection(collection).appendAsync(entry);
    }

    /**
     * Same as {@code collection(collection).replay(fromSequence)}.
     */
    public WalReplay replay(final String collection, final long fromSequence)
    {
        return collection(collection).replay(fromSequence);
    }

    /**
     * Follow {@code collection} like {@code tail -f}: every entry from {@code fromSequence} on, as it is
     * acknowledged, goes to {@code handler} in sequence order, on the tail's own thread, woken by the writer (no
     * polling). The tail reads the segment files (never the appenders' buffers) and keeps its place in them, so a
     * wake-up reads only what was written since; it follows segment rolls and checkpoints (entries freed before
     * it reached them are skipped). It stops at {@link WalTail#close()}, when the handler throws, or when this WAL
     * closes.
     *
     * @param handler given each record on the tail's thread; keep it short or hand the record on.
     */
    public WalTail tail(final String collection, final long fromSequence, final Consumer<WalRecord> handler)
    {
        return new WalTail(engine.tail(collection(collection).state(), fromSequence, handler));
    }

    /**
     * @return what each lane did since this WAL opened: entries, batches, bytes, the distributions of ring wait,
     *     batch size, encode, write, fsync, commit and seal times, uploads, and what is in flight now. Recorded
     *     without allocation or locks on the lane threads; this reads them on the caller's thread.
     */
    public WalMetrics metrics()
    {
        return engine.metrics();
    }

    /**
     * Same as {@code collection(collection).checkpoint(sequence)}.
     */
    public void checkpoint(final String collection, final long sequence)
    {
        collection(collection).checkpoint(sequence);
    }

    /**
     * @return the names of every collection found on disk or appended to.
     */
    public SortedSet<String> collections()
    {
        final TreeSet<String> names = new TreeSet<>();
        for (final CollectionState state : engine.collections())
        {
            names.add(state.name());
        }
        return names;
    }

    public WalStats stats()
    {
        return engine.stats();
    }

    public WalOptions options()
    {
        return engine.options();
    }

    /**
     * @return what recovery cut or set aside when this WAL opened (torn tails, lost unsynced data).
     */
    public List<String> recoveryNotes()
    {
        return engine.recoveryNotes();
    }

    /**
     * Drain every lane, force and seal every active segment, release the lanes.
     *
     * @throws WalException when a final force or seal failed (recovery will handle those files).
     */
    @Override
    public void close()
    {
        engine.close();
    }
}
