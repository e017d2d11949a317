package dev.spindle.cli;

import dev.spindle.wal.Entry;
import dev.spindle.wal.Op;
import dev.spindle.wal.Wal;
import dev.spindle.wal.WalCollection;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The workload of {@code spindle write} and {@code spindle bench}: T producer threads append M
 * entries over N collections ({@code c0 .. c<N-1>}); every value is {@link Payloads} of (seed,
 * collection, sequence). Each producer keeps its un-acknowledged entries in a window per collection
 * and records append-to-acknowledgement latency as the watermark passes them, so the measured latency
 * includes queueing, batching and the fsync.
 *
 * <p>With {@code --ack-log}, a separate thread writes {@code collection sequence} for every entry
 * once the collection's durable watermark passes it, with one write(2) per poll, so the file
 * survives a SIGKILL of this process: it is the witness of the crash tests.
 */
final class LoadGenerator
{
    /** What to run. */
    record Params(int collections, long entries, int entrySize, int threads, long seed, Path ackLog,
                  boolean progress, long warmupEntries, long rate)
    {
    }

    /** What happened. */
    record Result(long entries, long bytes, double seconds, Histogram latencyMicros, Histogram lateMicros)
    {
        double entriesPerSecond()
        {
            return entries / seconds;
        }

        double megabytesPerSecond()
        {
            return bytes / seconds / 1e6;
        }
    }

    private static final int WINDOW = 1 << 14;

    private final Wal wal;
    private final Params params;
    private final PrintWriter err;
    private final WalCollection[] collections;
    private final int[] hashes;
    private final Object[] locks;
    private final AtomicLong appended = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean producing;

    LoadGenerator(final Wal wal, final Params params, final PrintWriter err)
    {
        this.wal = wal;
        this.params = params;
        this.err = err;
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

    Result run() throws InterruptedException
    {
        if (params.warmupEntries() > 0)
        {
            runPhase(params.warmupEntries(), false);
        }
        return runPhase(params.entries(), true);
    }

    private Result runPhase(final long entries, final boolean measured) throws InterruptedException
    {
        appended.set(0);
        acknowledged.set(0);
        producing = true;
        final int threads = params.threads();
        final Producer[] producers = new Producer[threads];
        final List<Thread> started = new ArrayList<>();
        final AckLog ackLog = measured && params.ackLog() != null ? new AckLog(params.ackLog()) : null;
        final long start = System.nanoTime();
        for (int t = 0; t < threads; t++)
        {
            producers[t] = new Producer(t, entries);
            final Thread thread = new Thread(producers[t], "spindle-producer-" + t);
            thread.start();
            started.add(thread);
        }
        final Thread logger = ackLog == null ? null : new Thread(ackLog, "spindle-ack-log");
        if (logger != null)
        {
            logger.start();
        }
        long lastReport = start;
        long lastCount = 0;
        while (started.stream().anyMatch(Thread::isAlive))
        {
            for (final Thread thread : started)
            {
                thread.join(200);
            }
            final long now = System.nanoTime();
            if (measured && params.progress() && now - lastReport >= 2_000_000_000L)
            {
                final long count = acknowledged.get();
                final double rate = (count - lastCount) / ((now - lastReport) / 1e9);
                err.printf("[spindle] %,d / %,d entries acknowledged (%.0f%%), %,.0f entries/s, %.1f MB/s%n",
                    count, entries, 100.0 * count / Math.max(1, entries), rate, rate * params.entrySize() / 1e6);
                err.flush();
                lastReport = now;
                lastCount = count;
            }
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        producing = false;
        if (logger != null)
        {
            logger.join();
        }
        final Throwable t = failure.get();
        if (t != null)
        {
            throw t instanceof RuntimeException ? (RuntimeException)t : new IllegalStateException(t);
        }
        final Histogram latency = new Histogram(3_600_000_000L, 3);
        final Histogram late = new Histogram(3_600_000_000L, 3);
        for (final Producer producer : producers)
        {
            latency.add(producer.latency);
            late.add(producer.late);
        }
        return new Result(entries, entries * params.entrySize(), seconds, latency, late);
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
     * One producer thread: appends round-robin over its collections until each has its share,
     * recording latencies. With more threads than collections, threads share a collection (and its
     * quota), taking a lock so each knows the sequence it is about to get.
     */
    private final class Producer implements Runnable
    {
        private final int[] owned;
        private final long[] remaining;
        private final boolean shared;
        private final Histogram latency = new Histogram(3_600_000_000L, 3);
        /** With --rate: how late this thread started each append (the generator's own delay). */
        private final Histogram late = new Histogram(3_600_000_000L, 3);
        private final long[][] pendingSequence;
        private final long[][] pendingStart;
        private final int[] head;
        private final int[] tail;
        private final Entry entry = new Entry();
        private final byte[] key = new byte[Payloads.KEY_LENGTH];
        private final byte[] value;

        Producer(final int index, final long total)
        {
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
                if (shared)
                {
                    final int sharers = threads / n + (c < threads % n ? 1 : 0);
                    final int rank = index / n;
                    remaining[i] = quota(total, c) / sharers + (rank < quota(total, c) % sharers ? 1 : 0);
                }
                else
                {
                    remaining[i] = quota(total, c);
                }
            }
            final int window = Math.max(64, Integer.highestOneBit(WINDOW / owned.length));
            pendingSequence = new long[owned.length][window];
            pendingStart = new long[owned.length][window];
            head = new int[owned.length];
            tail = new int[owned.length];
            value = new byte[params.entrySize()];
        }

        @Override
        public void run()
        {
            try
            {
                int slot = 0;
                long left = 0;
                for (final long r : remaining)
                {
                    left += r;
                }
                final long interval = params.rate() > 0 ? Math.max(1, 1_000_000_000L * params.threads() / params.rate()) : 0;
                long scheduled = System.nanoTime();
                for (; left > 0 && failure.get() == null; left--)
                {
                    while (remaining[slot] == 0)
                    {
                        slot = (slot + 1) % owned.length;
                    }
                    remaining[slot]--;
                    final int c = owned[slot];
                    final long start;
                    if (interval > 0)
                    {
                        scheduled += interval;
                        long wait;
                        while ((wait = scheduled - System.nanoTime()) > 0)
                        {
                            drainAll();
                            LockSupport.parkNanos(wait); // never spin: on few cores it would starve the lane
                        }
                        start = scheduled; // from the intended time: a stall cannot hide (coordinated omission)
                        late.recordValue(Math.max(0, (System.nanoTime() - scheduled) / 1000));
                    }
                    else
                    {
                        start = System.nanoTime();
                    }
                    final long sequence;
                    if (shared)
                    {
                        synchronized (locks[c])
                        {
                            sequence = appendNext(c);
                        }
                    }
                    else
                    {
                        sequence = appendNext(c);
                    }
                    appended.incrementAndGet();
                    remember(slot, sequence, start);
                    drain(slot, false);
                    slot = (slot + 1) % owned.length;
                }
                for (int s = 0; s < owned.length; s++)
                {
                    drain(s, true);
                }
            }
            catch (final Throwable t)
            {
                failure.compareAndSet(null, t);
            }
        }

        private long appendNext(final int c)
        {
            final WalCollection collection = collections[c];
            final long sequence = collection.lastSequence() + 1;
            Payloads.key(sequence, value.length, key);
            Payloads.value(params.seed(), hashes[c], sequence, value, value.length);
            entry.clear().op(Op.INSERT).key(key).value(value);
            final long given = collection.append(entry);
            if (given != sequence)
            {
                throw new IllegalStateException("collection " + collection.name() + " gave sequence " + given +
                    ", expected " + sequence + ": is another process writing to it?");
            }
            return given;
        }

        private void drainAll()
        {
            for (int s = 0; s < owned.length; s++)
            {
                drain(s, false);
            }
        }

        private void remember(final int slot, final long sequence, final long start)
        {
            final long[] sequences = pendingSequence[slot];
            final int mask = sequences.length - 1;
            while (tail[slot] - head[slot] == sequences.length)
            {
                drain(slot, false);
                if (tail[slot] - head[slot] == sequences.length)
                {
                    LockSupport.parkNanos(20_000);
                }
            }
            sequences[tail[slot] & mask] = sequence;
            pendingStart[slot][tail[slot] & mask] = start;
            tail[slot]++;
        }

        private void drain(final int slot, final boolean all)
        {
            final WalCollection collection = collections[owned[slot]];
            final long[] sequences = pendingSequence[slot];
            final int mask = sequences.length - 1;
            while (head[slot] != tail[slot])
            {
                final long mark = collection.acknowledgedSequence();
                int n = 0;
                final long now = System.nanoTime();
                while (head[slot] != tail[slot] && sequences[head[slot] & mask] <= mark)
                {
                    latency.recordValue(Math.max(0, (now - pendingStart[slot][head[slot] & mask]) / 1000));
                    head[slot]++;
                    n++;
                }
                if (n > 0)
                {
                    acknowledged.addAndGet(n);
                }
                if (!all)
                {
                    return;
                }
                if (head[slot] != tail[slot])
                {
                    collection.awaitAcknowledged(sequences[head[slot] & mask]);
                }
            }
        }
    }

    /**
     * Writes "collection sequence" lines as durable watermarks advance.
     */
    private final class AckLog implements Runnable
    {
        private final Path file;
        private final long[] logged = new long[collections.length];

        AckLog(final Path file)
        {
            this.file = file;
            for (int c = 0; c < collections.length; c++)
            {
                logged[c] = collections[c].durableSequence();
            }
        }

        @Override
        public void run()
        {
            try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND))
            {
                final StringBuilder lines = new StringBuilder(1 << 16);
                if (!endsWithNewline(file))
                {
                    lines.append('\n');  // a previous writer was killed inside a write(2): end its torn line
                }
                boolean last = false;
                while (!last)
                {
                    last = !producing;
                    for (int c = 0; c < collections.length; c++)
                    {
                        final long durable = collections[c].durableSequence();
                        for (long s = logged[c] + 1; s <= durable; s++)
                        {
                            lines.append(collections[c].name()).append(' ').append(s).append('\n');
                            if (lines.length() > 1 << 20)
                            {
                                write(out, lines);
                            }
                        }
                        logged[c] = Math.max(logged[c], durable);
                    }
                    write(out, lines);
                    if (!last)
                    {
                        LockSupport.parkNanos(1_000_000);
                    }
                }
            }
            catch (final IOException ex)
            {
                failure.compareAndSet(null, new UncheckedIOException("cannot write the ack log " + file, ex));
            }
        }

        private boolean endsWithNewline(final Path path) throws IOException
        {
            try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ))
            {
                if (in.size() == 0)
                {
                    return true;
                }
                final ByteBuffer last = ByteBuffer.allocate(1);
                in.read(last, in.size() - 1);
                return last.get(0) == '\n';
            }
        }

        private void write(final FileChannel out, final StringBuilder lines) throws IOException
        {
            if (lines.length() == 0)
            {
                return;
            }
            final ByteBuffer bytes = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.US_ASCII));
            while (bytes.hasRemaining())
            {
                out.write(bytes);
            }
            lines.setLength(0);
        }
    }
}
