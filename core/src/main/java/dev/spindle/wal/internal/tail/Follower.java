package dev.spindle.wal.internal.tail;

import dev.spindle.wal.WalException;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.WalRecord;
import dev.spindle.wal.internal.lane.CollectionState;
import dev.spindle.wal.internal.lane.Lane;
import dev.spindle.wal.internal.lane.WatermarkWaits;
import dev.spindle.wal.internal.segment.CollectionNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Follows one collection like {@code tail -f}: delivers its entries to a handler in sequence order, one after
 * the other without a gap, from a given sequence on, as they come, on a thread of its own. The lanes' parts come
 * from one {@link LaneCursor} each, merged by sequence; a sequence in no lane yet is waited for (another lane
 * may still be writing it, an upload may still be landing), except where it can no longer come: at or below the
 * collection's checkpoint (freed before it was delivered), or when two looks in a row find later entries and
 * not it (the same hole twice: lost, set aside, or voided by a move), which is logged.
 *
 * <p>Thread: its own ({@code spindle-tail-<collection>}); the handler runs there. {@link #close} and the
 * watchers may be called from any thread.
 */
public final class Follower implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(Follower.class);
    /** How long {@link #close} waits for the thread (a handler that never returns keeps it). */
    private static final long JOIN_MILLIS = 10_000;

    private final String collection;
    private final TailSource source;
    private final Consumer<WalRecord> handler;
    private final long pollNanos;
    private final LaneCursor[] cursors;
    private final Thread thread;
    private final Object progress = new Object();
    private volatile boolean closed;
    private volatile long delivered;
    private volatile Throwable failure;
    private volatile boolean running = true;
    private long next;
    /** The hole seen at the last look ({@code next} .. {@code holeEnd}), to step over when seen twice; 0: none. */
    private long holeEnd;
    private long holeAt;
    /** The hole last logged as waited for. */
    private long toldHole;

    private Follower(final String collection, final TailSource source, final long fromSequence,
        final Consumer<WalRecord> handler, final long pollNanos)
    {
        this.collection = collection;
        this.source = source;
        this.handler = handler;
        this.pollNanos = pollNanos;
        this.next = Math.max(1, fromSequence);
        this.delivered = this.next - 1;
        this.cursors = new LaneCursor[source.lanes()];
        for (int i = 0; i < cursors.length; i++)
        {
            cursors[i] = new LaneCursor(i, collection);
        }
        this.thread = new Thread(this::run, "spindle-tail-" + collection);
        this.thread.setDaemon(true);
    }

    /**
     * Follow {@code collection} of the WAL open in this process: what is acknowledged, woken by the writer.
     */
    public static Follower live(final Lane[] lanes, final CollectionState collection, final WatermarkWaits waits,
        final long fromSequence, final Consumer<WalRecord> handler, final long pollNanos)
    {
        final Follower f = new Follower(collection.name(), new LiveSource(lanes, collection, waits), fromSequence,
            handler, pollNanos);
        f.thread.start();
        return f;
    }

    /**
     * Follow {@code collection} from its files (and, for remote lanes, the bucket), from another process or
     * another machine: never takes the writer's lock, never changes a file.
     */
    public static Follower files(final WalOptions options, final String collection, final long fromSequence,
        final Consumer<WalRecord> handler, final long pollNanos, final long remotePollNanos)
    {
        CollectionNames.validate(collection);
        final FileSource source;
        try
        {
            source = new FileSource(options, collection, remotePollNanos);
        }
        catch (final IOException ex)
        {
            throw new WalException("cannot tail " + collection + ": " + ex.getMessage(), ex);
        }
        final Follower f = new Follower(collection, source, fromSequence, handler, pollNanos);
        f.thread.start();
        return f;
    }

    private void run()
    {
        try
        {
            while (!closed)
            {
                final long limit = source.limit();    // before the look: all it lets through is in what the look sees
                source.look();
                for (int i = 0; i < cursors.length; i++)
                {
                    cursors[i].refresh(next, source.refs(i), source.moves());
                }
                deliver(limit);
                if (!closed)
                {
                    source.await(next, pollNanos);
                }
            }
        }
        catch (final Throwable t)
        {
            if (!closed)
            {
                failure = t;
                LOG.warn("tail of {} stopped after sequence {}: {}", collection, delivered, t.toString());
            }
        }
        finally
        {
            for (final LaneCursor cursor : cursors)
            {
                try
                {
                    cursor.close();
                }
                catch (final IOException | RuntimeException ignored)
                {
                    // closing anyway
                }
            }
            source.close();
            running = false;
            synchronized (progress)
            {
                progress.notifyAll();
            }
        }
    }

    /** Deliver every entry from {@link #next} on that the lanes hold now, up to {@code limit}, without a gap. */
    private void deliver(final long limit) throws IOException
    {
        while (!closed && next <= limit)
        {
            LaneCursor from = null;
            long lowest = Long.MAX_VALUE;
            boolean lowestSealed = false;
            for (int i = 0; i < cursors.length; i++)
            {
                final LaneCursor cursor = cursors[i];
                cursor.seek(next, source.refs(i), source.moves());
                final WalRecord head = cursor.head();
                if (head == null)
                {
                    continue;
                }
                if (head.sequence() == next)
                {
                    from = cursor;
                    break;
                }
                if (head.sequence() < lowest)
                {
                    lowest = head.sequence();
                    lowestSealed = cursor.headIsSealedLocal();
                }
            }
            if (from != null)
            {
                handler.accept(from.head());
                from.take();
                delivered = next++;
                holeEnd = 0;
                synchronized (progress)
                {
                    progress.notifyAll();
                }
                continue;
            }
            final long checkpoint = source.checkpoint();
            if (next <= checkpoint)
            {
                skipTo(Math.min(lowest, checkpoint + 1));    // freed by a checkpoint before it was delivered
                continue;
            }
            if (lowest == Long.MAX_VALUE)
            {
                return;    // nothing further yet
            }
            if (holeAt == next && holeEnd == lowest - 1 && (lowestSealed || limit != Long.MAX_VALUE))
            {
                LOG.warn("tail of {}: sequences {}..{} are in no segment, and later ones are (lost, set aside " +
                    "or voided by a move); going on at {}", collection, next, lowest - 1, lowest);
                skipTo(lowest);
                holeEnd = 0;
                continue;
            }
            if (holeAt == next && holeEnd == lowest - 1 && toldHole != next)
            {
                toldHole = next;
                LOG.info("tail of {}: waiting for sequences {}..{} (later ones are there already: another lane " +
                    "still writing them, or an upload still landing)", collection, next, lowest - 1);
            }
            holeAt = next;
            holeEnd = lowest - 1;
            return;    // maybe still on its way: look again
        }
    }

    /** Go on at {@code sequence}: what lies before it can no longer come, and counts as passed. */
    private void skipTo(final long sequence)
    {
        next = sequence;
        delivered = sequence - 1;
        synchronized (progress)
        {
            progress.notifyAll();
        }
    }

    public String collection()
    {
        return collection;
    }

    /**
     * @return the sequence up to which the follower has gone: delivered, or passed as freed by a checkpoint or
     *     lost (one below the first asked for, before any).
     */
    public long lastDelivered()
    {
        return delivered;
    }

    /** @return what stopped the follower other than {@link #close}, or null. */
    public Throwable failure()
    {
        return failure;
    }

    public boolean isRunning()
    {
        return running;
    }

    /**
     * Wait until {@code sequence} has been delivered.
     *
     * @return false when {@code timeout} passed first, or the follower stopped.
     */
    public boolean awaitDelivered(final long sequence, final long timeout, final TimeUnit unit)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (progress)
        {
            while (delivered < sequence && running)
            {
                final long left = deadline - System.nanoTime();
                if (left <= 0)
                {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(progress, left);
            }
        }
        return delivered >= sequence;
    }

    /** Stop following; waits a bounded time for the thread to finish the entry it is delivering. */
    @Override
    public void close()
    {
        stop();
        join(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_MILLIS));
    }

    /** Tell the thread to stop, without waiting for it (then {@link #join}: several stop at once). */
    public void stop()
    {
        closed = true;
        source.wake();
    }

    /** Wait for the thread until {@code deadlineNanos} ({@link System#nanoTime()}), at most. */
    public void join(final long deadlineNanos)
    {
        if (Thread.currentThread() == thread)
        {
            return;
        }
        try
        {
            final long left = deadlineNanos - System.nanoTime();
            if (left > 0)
            {
                TimeUnit.NANOSECONDS.timedJoin(thread, left);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
