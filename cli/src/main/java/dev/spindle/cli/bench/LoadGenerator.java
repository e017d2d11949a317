package dev.spindle.cli.bench;

import dev.spindle.wal.Entry;
import dev.spindle.wal.Op;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.Wal;
import dev.spindle.wal.WalMetrics;
import dev.spindle.wal.WalCollection;
import dev.spindle.wal.WalOptions;
import org.HdrHistogram.Histogram;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The workload of {@code spindle write}, {@code spindle bench}, the sweep and the disk scaling run: T
 * producer threads append entries over N collections ({@code c0 .. c<N-1>}), for a number of entries or
 * for a time, as fast as the WAL takes them or at an offered rate; every value is {@link Payloads} of
 * (seed, collection, sequence).
 *
 * <p><b>Where latency is measured.</b> Producers only append: each leaves the entry's start time in its
 * collection's {@link Pending} window. A dedicated {@link AckWatcher} thread watches every collection's
 * acknowledged watermark and records append-to-acknowledgement latency the moment it sees the watermark
 * pass an entry, whatever the producers are doing. (Before, producers looked at acknowledgements only when
 * they appended the next entry, so at light load the generator measured its own inter-arrival time.) The
 * watcher parks when it sees no progress: about 60 µs on Linux (10 µs asked, plus the kernel's timer slack) for up
 * to a thousand collections, longer for more, since each look scans every collection with entries pending. That
 * bounds how much it can overstate a latency. Every 64 idle looks it also asks the WAL, without waiting, about the
 * oldest pending entry, which is how a failed lane ends the run with its error instead of a wait.
 *
 * <p>With a rate, each entry has a scheduled time and latency counts from it, so a stall of the WAL (or of
 * the generator) is not hidden (coordinated omission); how late the generator itself started each append
 * is reported separately.
 *
 * <p>Threads: the caller's thread starts the phase and prints progress; producers own their collections
 * (threads share a collection, under a lock, only when there are more threads than collections); the
 * watcher alone writes the latency histogram and the acknowledged count.
 */
public final class LoadGenerator
{
    /** What to run. */
    public record Params(int collections, int entrySize, int threads, long seed, long rate, Path ackLog,
                         boolean progress, long checkpointBytes, Payloads.Kind payload)
    {
        /**
         * @return these parameters at {@code rate} entries/s (0: unthrottled), without an ack log or progress lines.
         */
        public Params quietAt(final long rate)
        {
            return new Params(collections, entrySize, threads, seed, rate, null, false, checkpointBytes, payload);
        }
    }

    /** How long a phase runs: {@code entries} in total, or for {@code nanos} (then entries is ignored). */
    public record Phase(long entries, long nanos)
    {
        public static Phase entries(final long entries)
        {
            return new Phase(entries, 0);
        }

        public static Phase seconds(final double seconds)
        {
            return new Phase(0, Math.max(1, (long)(seconds * 1e9)));
        }

        boolean timed()
        {
            return nanos > 0;
        }

        boolean isEmpty()
        {
            return !timed() && entries <= 0;
        }
    }

    /** What happened in the measured phase. */
    /**
     * @param metrics the WAL's own metrics at the end of the run (warm-up included), or null.
     */
    public record Result(long entries, long bytes, double seconds, Histogram latencyMicros, Histogram lateMicros,
                         WalMetrics metrics)
    {
        public double entriesPerSecond()
        {
            return seconds <= 0 ? 0 : entries / seconds;
        }

        public double megabytesPerSecond()
        {
            return seconds <= 0 ? 0 : bytes / seconds / 1e6;
        }
    }

    /** Start times kept per collection, over all threads: 2^20 longs (8 MiB). */
    private static final int TOTAL_WINDOW = 1 << 20;
    /** Below this interval between a producer's appends, it never spins before its scheduled time. */
    private static final long FINAL_APPROACH_MIN_INTERVAL = 500_000;
    private static final long FINAL_APPROACH = 100_000;
    private static final long HIGHEST_MICROS = 3_600_000_000L;

    private final Params params;
    private final PrintWriter err;
    private final Wal wal;
    private final WalCollection[] collections;
    private final int[] hashes;
    private final Object[] locks;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicInteger producersFinished = new AtomicInteger();
    private final AtomicBoolean stop;
    private final boolean acknowledgesBeforeSync;

    public LoadGenerator(final Wal wal, final Params params, final PrintWriter err)
    {
        this(wal, params, err, new AtomicBoolean());
    }

    public LoadGenerator(final Wal wal, final Params params, final PrintWriter err, final AtomicBoolean stop)
    {
        this.params = params;
        this.err = err;
        this.stop = stop;
        this.wal = wal;
        final SyncMode mode = wal.options().syncMode();
        this.acknowledgesBeforeSync = mode == SyncMode.Periodic || mode == SyncMode.Never;
        this.collections = new WalCollection[params.collections()];
        this.hashes = new int[params.collections()];
        this.locks = new Object[params.collections()];
        for (int i = 0; i < collections.length; i++)
        {
            collections[i] = wal.collection("c" + i);
            hashes[i] = Payloads.collectionHash(collections[i].name());
            locks[i] = new Object();
        }
    }

    /**
     * Open a WAL with {@code options}, run the phases on it, close it.
     */
    public static Result runOn(final WalOptions options, final Params params, final Phase warmup, final Phase measured,
        final PrintWriter err) throws InterruptedException
    {
        return runOn(options, params, warmup, measured, err, new AtomicBoolean());
    }

    /**
     * @param stop when set, producers stop appending; what they appended is still waited for and counted.
     */
    public static Result runOn(final WalOptions options, final Params params, final Phase warmup, final Phase measured,
        final PrintWriter err, final AtomicBoolean stop) throws InterruptedException
    {
        try (Wal wal = Wal.open(options))
        {
            for (final String note : wal.recoveryNotes())
            {
                err.println("spindle: recovery: " + note);    // the library logs them at DEBUG only
            }
            err.flush();
            return new LoadGenerator(wal, params, err, stop).run(warmup, measured);
        }
    }

    /**
     * Run {@code warmup} (not measured, no ack log), then {@code measured}.
     */
    public Result run(final Phase warmup, final Phase measured) throws InterruptedException
    {
        if (!warmup.isEmpty())
        {
            runPhase(warmup, false);
        }
        return runPhase(measured, true);
    }

    private Result runPhase(final Phase phase, final boolean measured) throws InterruptedException
    {
        final Pending[] pending = new Pending[collections.length];
        final int window = Math.max(64, Integer.highestOneBit(TOTAL_WINDOW / collections.length));
        for (int c = 0; c < collections.length; c++)
        {
            pending[c] = new Pending(window, collections[c].lastSequence());
        }
        producersFinished.set(0);
        final AckWatcher watcher = new AckWatcher(pending);
        final Producer[] producers = new Producer[params.threads()];
        final List<Thread> started = new ArrayList<>();
        final AckLog ackLog = measured && params.ackLog() != null ?
            new AckLog(params.ackLog(), collections, acknowledgesBeforeSync, failure) : null;
        final long start = System.nanoTime();
        final long deadline = phase.timed() ? start + phase.nanos() : Long.MAX_VALUE;
        for (int t = 0; t < producers.length; t++)
        {
            producers[t] = new Producer(t, phase, deadline, pending);
            final Thread thread = new Thread(producers[t], "spindle-producer-" + t);
            thread.start();
            started.add(thread);
        }
        final Thread watching = new Thread(watcher, "spindle-ack-watcher");
        watching.start();
        final Thread logger = ackLog == null ? null : new Thread(ackLog, "spindle-ack-log");
        if (logger != null)
        {
            logger.start();
        }
        long lastReport = start;
        long lastCount = 0;
        while (watching.isAlive())
        {
            watching.join(params.checkpointBytes() > 0 ? 20 : 200);
            checkpoint();
            final long now = System.nanoTime();
            if (measured && params.progress() && now - lastReport >= 2_000_000_000L && watching.isAlive())
            {
                final long count = watcher.acknowledged;
                final double rate = (count - lastCount) / ((now - lastReport) / 1e9);
                final String done = phase.timed() ?
                    String.format(Locale.ROOT, "%.0f of %.0f s", (now - start) / 1e9, phase.nanos() / 1e9) :
                    String.format(Locale.ROOT, "%,d of %,d entries acknowledged (%.0f%%)", count, phase.entries(),
                        100.0 * count / Math.max(1, phase.entries()));
                err.printf(Locale.ROOT, "[spindle] %s, %,.0f entries/s, %.1f MB/s%n", done, rate,
                    rate * params.entrySize() / 1e6);
                err.flush();
                lastReport = now;
                lastCount = count;
            }
        }
        for (final Thread thread : started)
        {
            thread.join();
        }
        if (logger != null)
        {
            ackLog.finish();
            logger.join();
        }
        final Throwable t = failure.get();
        if (t != null)
        {
            throw t instanceof RuntimeException ? (RuntimeException)t : new IllegalStateException(t);
        }
        final Histogram late = new Histogram(HIGHEST_MICROS, 3);
        long appended = 0;
        for (final Producer producer : producers)
        {
            late.add(producer.late);
            appended += producer.appended;
        }
        final double seconds = Math.max(0, watcher.lastAckNanos - start) / 1e9;
        return new Result(appended, appended * params.entrySize(), seconds, watcher.latency, late, wal.metrics());
    }

    /**
     * As an embedder does once it has flushed what the log covers (here, on the generator's main thread, every 20 ms):
     * checkpoint each collection at its acknowledged sequence once {@code checkpointBytes} of values were acknowledged
     * since its last checkpoint, so sealed segments are freed (and recycled).
     */
    private void checkpoint()
    {
        if (params.checkpointBytes() <= 0)
        {
            return;
        }
        final long every = Math.max(1, params.checkpointBytes() / Math.max(1, params.entrySize()));
        for (int c = 0; c < collections.length; c++)
        {
            final long acknowledged = collections[c].acknowledgedSequence();
            if (acknowledged - collections[c].checkpointSequence() >= every)    // raised by each checkpoint
            {
                try
                {
                    collections[c].checkpoint(acknowledged);
                }
                catch (final RuntimeException | Error ex)
                {
                    failure.compareAndSet(null, ex);
                }
            }
        }
    }

    /**
     * @return how many of {@code total} entries collection {@code c} gets: an even spread.
     */
    private long quota(final long total, final int c)
    {
        final int n = params.collections();
        return total / n + (c < total % n ? 1 : 0);
    }

    /**
     * One collection's entries appended and not yet seen acknowledged: their start times, indexed by
     * sequence. Written by the producer that holds the collection, read by the watcher.
     */
    static final class Pending
    {
        private static final java.lang.invoke.VarHandle PUBLISHED;
        private static final java.lang.invoke.VarHandle CONSUMED;

        static
        {
            try
            {
                final java.lang.invoke.MethodHandles.Lookup lookup = java.lang.invoke.MethodHandles.lookup();
                PUBLISHED = lookup.findVarHandle(Pending.class, "published", long.class);
                CONSUMED = lookup.findVarHandle(Pending.class, "consumed", long.class);
            }
            catch (final ReflectiveOperationException ex)
            {
                throw new ExceptionInInitializerError(ex);
            }
        }

        final long[] starts;
        final int mask;
        /** Highest sequence whose start time is stored. */
        private long published;
        /** Highest sequence whose latency the watcher recorded. */
        private long consumed;

        Pending(final int window, final long lastSequence)
        {
            starts = new long[window];
            mask = window - 1;
            published = lastSequence;
            consumed = lastSequence;
        }

        long published()
        {
            return (long)PUBLISHED.getAcquire(this);
        }

        void publish(final long sequence, final long start)
        {
            starts[(int)sequence & mask] = start;
            PUBLISHED.setRelease(this, sequence);
        }

        long consumed()
        {
            return (long)CONSUMED.getAcquire(this);
        }

        void consume(final long sequence)
        {
            CONSUMED.setRelease(this, sequence);
        }

        /**
         * @return true while {@code sequence} has no free slot (the watcher has not caught up).
         */
        boolean full(final long sequence)
        {
            return sequence - consumed() > starts.length;
        }
    }

    /**
     * Records each entry's latency as soon as its collection's acknowledged watermark passes it. Ends when
     * every producer is done and every appended entry is acknowledged, or on a failure. With one collection it
     * waits in {@code awaitAcknowledged} for the oldest entry not yet acknowledged, which the lane wakes as it
     * acknowledges: the latency is then exact to one wake-up (an entry published and acknowledged while the
     * watcher had nothing to wait for is seen after its park). With several it looks at them all in turn and parks
     * between looks, so it can overstate a latency by one park (about 60 us here).
     */
    private final class AckWatcher implements Runnable
    {
        private final Pending[] pending;
        final Histogram latency = new Histogram(HIGHEST_MICROS, 3);
        volatile long acknowledged;
        volatile long lastAckNanos = System.nanoTime();

        AckWatcher(final Pending[] pending)
        {
            this.pending = pending;
        }

        @Override
        public void run()
        {
            try
            {
                long count = 0;
                long idle = 0;
                final long idlePark = Math.min(1_000_000, 10_000 + 10L * Math.max(0, pending.length - 1000));
                while (failure.get() == null)
                {
                    final boolean done = producersDone();   // read before the scan: every entry published is then seen
                    boolean progress = false;
                    boolean waiting = false;
                    for (int c = 0; c < pending.length; c++)
                    {
                        final Pending p = pending[c];
                        final long published = p.published();
                        final long from = p.consumed();
                        if (published == from)
                        {
                            continue;
                        }
                        final long upTo = Math.min(published, collections[c].acknowledgedSequence());
                        if (upTo > from)
                        {
                            final long now = System.nanoTime();
                            for (long s = from + 1; s <= upTo; s++)
                            {
                                latency.recordValue(Math.min(HIGHEST_MICROS,
                                    Math.max(0, (now - p.starts[(int)s & p.mask]) / 1000)));
                            }
                            p.consume(upTo);
                            count += upTo - from;
                            acknowledged = count;
                            lastAckNanos = now;
                            progress = true;
                        }
                        if (upTo < published)
                        {
                            waiting = true;
                        }
                    }
                    if (progress)
                    {
                        continue;
                    }
                    if (!waiting && done)
                    {
                        return;
                    }
                    if (waiting && pending.length == 1)
                    {
                        // throws as checkOldest does when the lane holding it failed
                        collections[0].awaitAcknowledged(pending[0].consumed() + 1, 1, TimeUnit.MILLISECONDS);
                        continue;
                    }
                    if (waiting && ++idle % 64 == 0)
                    {
                        checkOldest();
                    }
                    LockSupport.parkNanos(idlePark);
                }
            }
            catch (final Throwable t)
            {
                failure.compareAndSet(null, t);
            }
        }

        private boolean producersDone()
        {
            return producersFinished.get() == params.threads();
        }

        /**
         * Ask the WAL, without waiting, about each collection's oldest entry not yet acknowledged: it throws if a lane
         * holding it failed, which ends the run with the lane's error.
         */
        private void checkOldest()
        {
            for (int c = 0; c < pending.length; c++)
            {
                final long next = pending[c].consumed() + 1;
                if (next <= pending[c].published() && collections[c].acknowledgedSequence() < next)
                {
                    collections[c].awaitAcknowledged(next, 0, TimeUnit.MILLISECONDS);
                }
            }
        }
    }

    /**
     * One producer thread: appends round-robin over its collections until each has its share (or the time
     * is up), leaving each entry's start time for the watcher. With more threads than collections, threads
     * share a collection (and its quota), taking a lock so each knows the sequence it is about to get.
     */
    private final class Producer implements Runnable
    {
        private final int index;
        private final int[] owned;
        private final long[] remaining;
        private final boolean shared;
        private final long deadline;
        private final Pending[] pending;
        /**
         * With a rate: how late this thread started each append after its scheduled time. That is the generator's own
         * wake-up delay, plus any backlog when earlier appends were held back by the WAL's back-pressure.
         */
        private final Histogram late = new Histogram(HIGHEST_MICROS, 3);
        private final Entry entry = new Entry();
        private final byte[] key = new byte[Payloads.KEY_LENGTH];
        private final Payloads.Generator generator = new Payloads.Generator();
        /** The value of each entry, or null for vectors. */
        private final byte[] value;
        /** The vector of each entry, or null. */
        private final float[] vector;
        long appended;

        Producer(final int index, final Phase phase, final long deadline, final Pending[] pending)
        {
            this.index = index;
            this.deadline = deadline;
            this.pending = pending;
            final int n = params.collections();
            final int threads = params.threads();
            if (threads <= n)
            {
                final List<Integer> mine = new ArrayList<>();
                for (int c = index; c < n; c += threads)
                {
                    mine.add(c);
                }
                owned = mine.stream().mapToInt(Integer::intValue).toArray();
                shared = false;
            }
            else
            {
                owned = new int[]{index % n};
                shared = true;
            }
            remaining = new long[owned.length];
            for (int i = 0; i < owned.length; i++)
            {
                final int c = owned[i];
                if (phase.timed())
                {
                    remaining[i] = Long.MAX_VALUE;
                }
                else if (shared)
                {
                    final int sharers = threads / n + (c < threads % n ? 1 : 0);
                    final int rank = index / n;
                    remaining[i] = quota(phase.entries(), c) / sharers + (rank < quota(phase.entries(), c) % sharers ? 1 : 0);
                }
                else
                {
                    remaining[i] = quota(phase.entries(), c);
                }
            }
            final boolean vectors = params.payload() == Payloads.Kind.vectors;
            value = vectors ? null : new byte[params.entrySize()];
            vector = vectors ? new float[params.entrySize() / Float.BYTES] : null;
        }

        @Override
        public void run()
        {
            try
            {
                produce();
            }
            catch (final Throwable t)
            {
                failure.compareAndSet(null, t);
            }
            finally
            {
                producersFinished.incrementAndGet();
            }
        }

        private void produce()
        {
            long left = 0;
            for (final long r : remaining)
            {
                left = r == Long.MAX_VALUE ? Long.MAX_VALUE : left + r;
            }
            final long interval = params.rate() > 0 ? Math.max(1, 1_000_000_000L * params.threads() / params.rate()) : 0;
            final long approach = interval >= FINAL_APPROACH_MIN_INTERVAL ? FINAL_APPROACH : 0;
            long scheduled = System.nanoTime() + interval * index / params.threads();   // staggered: no bursts of T
            int slot = 0;
            for (; left > 0 && failure.get() == null && !stop.get(); left--)
            {
                while (remaining[slot] == 0)
                {
                    slot = (slot + 1) % owned.length;
                }
                remaining[slot]--;
                final long start;
                if (interval > 0)
                {
                    scheduled += interval;
                    if (scheduled - deadline >= 0 || System.nanoTime() - deadline >= 0)
                    {
                        return;   // a timed phase ends on time even when the WAL falls behind the offered rate
                    }
                    if (!awaitSchedule(scheduled, approach))
                    {
                        return;
                    }
                    start = scheduled; // from the intended time: a stall cannot hide (coordinated omission)
                    late.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, (System.nanoTime() - scheduled) / 1000)));
                }
                else
                {
                    start = System.nanoTime();
                    if (start - deadline >= 0)
                    {
                        return;
                    }
                }
                final int c = owned[slot];
                if (shared)
                {
                    synchronized (locks[c])
                    {
                        appendNext(c, start);
                    }
                }
                else
                {
                    appendNext(c, start);
                }
                appended++;
                slot = (slot + 1) % owned.length;
            }
        }

        /**
         * Park until shortly before {@code scheduled} (in slices of at most 10 ms, so a stop or a failure is seen);
         * then, when appends are far enough apart that it costs little, yield the last stretch so the append is not
         * late by the park's timer slack.
         *
         * @return false when the run stopped or failed meanwhile.
         */
        private boolean awaitSchedule(final long scheduled, final long approach)
        {
            long wait;
            while ((wait = scheduled - System.nanoTime()) > 0)
            {
                if (stop.get() || failure.get() != null)
                {
                    return false;
                }
                if (wait > approach)
                {
                    LockSupport.parkNanos(Math.min(10_000_000, wait - approach)); // never spin long: it starves the lane
                }
                else
                {
                    Thread.yield();
                }
            }
            return true;
        }

        private void appendNext(final int c, final long start)
        {
            final WalCollection collection = collections[c];
            final Pending p = pending[c];
            final long sequence = collection.lastSequence() + 1;
            while (p.full(sequence))
            {
                if (failure.get() != null)
                {
                    throw new IllegalStateException("stopped: another thread failed");
                }
                // the watcher has not recorded the oldest entry yet; the WAL throws here if its lane failed
                collection.awaitAcknowledged(p.consumed() + 1, 0, TimeUnit.MILLISECONDS);
                LockSupport.parkNanos(20_000);
            }
            Payloads.key(sequence, value != null ? value.length : vector.length * Float.BYTES, key);
            generator.fill(params.payload(), params.seed(), hashes[c], sequence, value, vector);
            entry.clear().op(Op.INSERT).key(key).value(value).vector(vector);
            final long given = collection.append(entry);
            if (given != sequence)
            {
                throw new IllegalStateException("collection " + collection.name() + " gave sequence " + given +
                    ", expected " + sequence + ": is another process writing to it?");
            }
            p.publish(given, start);
        }
    }
}
