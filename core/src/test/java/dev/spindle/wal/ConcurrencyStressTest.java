package dev.spindle.wal;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariant 2 under concurrency: {@value #PRODUCERS} producer threads append to {@value #COLLECTIONS} collections
 * over {@value #LANES} lanes while other threads checkpoint collections at random, replay them (a live replay
 * must return a gap-free run of sequences) and tail them: {@value #TAILS} tails follow a collection each from
 * sequence 1 for the whole run (half in this process, {@link Wal#tail}, half from the files as another process
 * would, {@link WalReader#tail}), and another thread starts short tails at random places; a tail must deliver
 * sequences in order without a gap, except over what a checkpoint freed, each producer's entries in its order, and
 * at the end the whole collection with the producers' checksums wherever it delivered a whole block. At the end, after a close and a reopen, each collection replays every
 * sequence above its checkpoint exactly once, each with the payload that was appended under that sequence (an
 * order-independent checksum per block of 65,536 sequences, computed by the producers from the sequence that
 * {@code append} returned and by the check from the replayed entry), and each producer's entries of a collection
 * in the order it appended them. Both affinities, both io_modes.
 *
 * <p>{@value #DEFAULT_ENTRIES} entries per case by default (four cases); {@code -Dspindle.stress.entries=N} runs
 * more (the soak in the README).
 */
class ConcurrencyStressTest
{
    private static final int PRODUCERS = 16;
    private static final int COLLECTIONS = 64;
    private static final int LANES = 4;
    private static final long DEFAULT_ENTRIES = 2_500_000;
    private static final int BUCKET_BITS = 16;
    private static final int MAX_BUCKETS = 1 << 12;
    private static final int TAILS = 4;

    @TempDir
    Path dir;

    static Stream<Arguments> cases()
    {
        return Stream.of(
            Arguments.of(true, IoMode.pwrite),
            Arguments.of(false, IoMode.pwrite),
            Arguments.of(true, IoMode.mmap),
            Arguments.of(false, IoMode.mmap));
    }

    /** Per collection: checksum per block of sequences, as appended. */
    private static final class Expected
    {
        final AtomicLongArray buckets = new AtomicLongArray(MAX_BUCKETS);
    }

    /**
     * A tail's handler: sequences in order, a gap only over what the collection's checkpoint freed, each producer's
     * entries in its order; counts and checksums per block, to compare with {@link Expected} where it is whole.
     */
    private static final class TailCheck implements java.util.function.Consumer<WalRecord>
    {
        final WalCollection collection;
        final long[] sums = new long[MAX_BUCKETS];
        final long[] counts = new long[MAX_BUCKETS];
        final long[] lastCounter = new long[PRODUCERS];
        final AtomicLong delivered = new AtomicLong();
        volatile String error;
        long previous;

        TailCheck(final WalCollection collection)
        {
            this.collection = collection;
            java.util.Arrays.fill(lastCounter, -1);
        }

        @Override
        public void accept(final WalRecord r)
        {
            final long sequence = r.sequence();
            if (previous > 0 && sequence != previous + 1 &&
                (sequence <= previous || sequence - 1 > collection.checkpointSequence()))
            {
                error = collection.name() + ": a tail went from " + previous + " to " + sequence + " (checkpoint " +
                    collection.checkpointSequence() + ")";
            }
            previous = sequence;
            final byte[] key = r.key();
            final byte[] value = r.value();
            final ByteBuffer k = ByteBuffer.wrap(key);
            final int producer = k.getInt();
            final long counter = k.getLong();
            if (counter <= lastCounter[producer])
            {
                error = collection.name() + "#" + sequence + ": a tail gave producer " + producer + "'s entry " +
                    counter + " after its entry " + lastCounter[producer];
            }
            lastCounter[producer] = counter;
            sums[bucket(sequence)] += hash(sequence, key, 0, key.length, value, 0, value.length);
            counts[bucket(sequence)]++;
            delivered.incrementAndGet();
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void invariantTwoHoldsUnderSixteenProducersCheckpointsAndReplays(final boolean affinity, final IoMode ioMode)
        throws Exception
    {
        final long entries = Long.getLong("spindle.stress.entries", DEFAULT_ENTRIES);
        final String[] urls = new String[LANES];
        for (int l = 0; l < LANES; l++)
        {
            urls[l] = dir.resolve("lane" + l).toString();
        }
        final WalOptions options = WalOptions.builder()
            .walUrls(urls)
            .ioMode(ioMode)
            .collectionAffinity(affinity)
            .distributionStrategy(affinity ? DistributionStrategy.LoadBalanced : DistributionStrategy.RoundRobin)
            .diskSegmentSizeBytes(4L << 20)
            .build();
        final Expected[] expected = new Expected[COLLECTIONS];
        for (int c = 0; c < COLLECTIONS; c++)
        {
            expected[c] = new Expected();
        }
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong appended = new AtomicLong();
        final AtomicLong replays = new AtomicLong();
        final AtomicLong checkpoints = new AtomicLong();
        final Map<String, Long> checkpointed = new ConcurrentHashMap<>();
        final long started = System.nanoTime();
        final AtomicLong shortTails = new AtomicLong();
        final List<TailCheck> checks = new ArrayList<>();
        final List<WalTail> tails = new ArrayList<>();
        try (Wal wal = Wal.open(options))
        {
            for (int t = 0; t < TAILS; t++)
            {
                final TailCheck check = new TailCheck(wal.collection(name(t)));
                checks.add(check);
                tails.add(t % 2 == 0 ? wal.tail(name(t), 1, check) : WalReader.tail(options, name(t), 1, check));
            }
            final List<Thread> producers = new ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++)
            {
                final int producer = p;
                producers.add(start("producer-" + p, failure, () ->
                {
                    final Entry entry = new Entry();
                    final byte[] key = new byte[12];
                    final byte[] value = new byte[256];
                    final ThreadLocalRandom random = ThreadLocalRandom.current();
                    final long share = entries / PRODUCERS;
                    for (long n = 0; n < share && failure.get() == null; n++)
                    {
                        final int c = random.nextInt(COLLECTIONS);
                        ByteBuffer.wrap(key).putInt(producer).putLong(n);
                        final int length = 8 + random.nextInt(value.length - 8);
                        random.nextBytes(value);
                        final long sequence = wal.append(name(c), entry.clear().key(key).value(value, 0, length));
                        expected[c].buckets.addAndGet(bucket(sequence), hash(sequence, key, 0, key.length, value, 0,
                            length));
                        appended.incrementAndGet();
                    }
                }));
            }
            final AtomicBoolean stop = new AtomicBoolean();
            final Thread checkpointer = start("checkpointer", failure, () ->
            {
                final ThreadLocalRandom random = ThreadLocalRandom.current();
                while (!stop.get())
                {
                    final WalCollection c = wal.collection(name(random.nextInt(COLLECTIONS)));
                    final long acknowledged = c.acknowledgedSequence();
                    final long at = acknowledged - random.nextLong(acknowledged / 4 + 1);
                    if (at > c.checkpointSequence())
                    {
                        c.checkpoint(at);
                        checkpointed.merge(c.name(), at, Math::max);
                        checkpoints.incrementAndGet();
                    }
                    sleep(2);
                }
            });
            final Thread replayer = start("replayer", failure, () ->
            {
                final ThreadLocalRandom random = ThreadLocalRandom.current();
                while (!stop.get())
                {
                    final WalCollection c = wal.collection(name(random.nextInt(COLLECTIONS)));
                    final long from = c.checkpointSequence() + 1 + random.nextInt(1000);
                    long previous = -1;
                    try (WalReplay replay = c.replay(from))
                    {
                        while (replay.hasNext())
                        {
                            final long sequence = replay.next().sequence();
                            if (previous >= 0 && sequence != previous + 1)
                            {
                                // below the checkpoint, segments may be freed while the replay opens them
                                assertTrue(sequence - 1 <= c.checkpointSequence(), c.name() + ": a live replay " +
                                    "went from " + previous + " to " + sequence + " above the checkpoint " +
                                    c.checkpointSequence());
                            }
                            previous = sequence;
                        }
                    }
                    catch (final WalException freed)
                    {
                        // what a checkpoint frees while replay reads it may be recycled, and replay says so
                        assertTrue(freed.getMessage().contains("freed by a checkpoint") &&
                            c.checkpointSequence() >= from, freed.toString());
                    }
                    replays.incrementAndGet();
                    sleep(1);
                }
            });
            final Thread tailer = start("tailer", failure, () ->
            {
                final ThreadLocalRandom random = ThreadLocalRandom.current();
                while (!stop.get())
                {
                    final WalCollection c = wal.collection(name(random.nextInt(COLLECTIONS)));
                    final long from = c.checkpointSequence() + 1 + random.nextInt(1000);
                    final TailCheck check = new TailCheck(c);
                    try (WalTail tail = random.nextBoolean() ? wal.tail(c.name(), from, check) :
                        WalReader.tail(options, c.name(), from, check))
                    {
                        tail.awaitDelivered(from + 500, 2, TimeUnit.SECONDS);    // or less, if appends are slow
                        assertNull(tail.failure(), () -> c.name() + ": " + tail.failure());
                    }
                    assertNull(check.error, check.error);
                    shortTails.incrementAndGet();
                }
            });
            for (final Thread producer : producers)
            {
                join(producer);
            }
            stop.set(true);
            join(checkpointer);
            join(replayer);
            join(tailer);
            assertNull(failure.get(), () -> "a thread failed: " + failure.get());
            for (int c = 0; c < COLLECTIONS; c++)
            {
                final WalCollection collection = wal.collection(name(c));
                assertTrue(collection.awaitAcknowledged(collection.lastSequence(), 60, TimeUnit.SECONDS),
                    name(c) + " acknowledged everything appended");
            }
            for (int t = 0; t < TAILS; t++)
            {
                checkTail(tails.get(t), checks.get(t), expected[t]);
            }
        }
        final long written = System.nanoTime();
        try (Wal wal = Wal.open(options))
        {
            for (int c = 0; c < COLLECTIONS; c++)
            {
                check(wal, c, expected[c]);
            }
        }
        System.out.printf("stress affinity=%s %s: %,d entries by %d producers over %d lanes in %.1f s, %,d live " +
                "replays, %,d checkpoints, %d tails for the whole run and %,d short ones; checked after a reopen in %.1f s%n",
            affinity, ioMode, appended.get(), PRODUCERS, LANES, (written - started) / 1e9, replays.get(),
            checkpoints.get(), TAILS, shortTails.get(),
            (System.nanoTime() - written) / 1e9);
        assertEquals(entries / PRODUCERS * PRODUCERS, appended.get());
    }

    /**
     * A tail that followed a collection from sequence 1 for the whole run delivers up to its last sequence, with
     * no error, and the producers' checksum of every block it delivered whole (one it did not was freed by a
     * checkpoint before the tail reached it).
     */
    private static void checkTail(final WalTail tail, final TailCheck check, final Expected expected)
        throws InterruptedException
    {
        final long last = check.collection.lastSequence();
        assertTrue(tail.awaitDelivered(last, 60, TimeUnit.SECONDS), () -> check.collection.name() + ": the tail " +
            "delivered up to " + tail.lastDelivered() + " of " + last + " (" + tail.failure() + ")");
        tail.close();
        assertNull(tail.failure());
        assertNull(check.error, check.error);
        for (int b = 0; b <= bucket(last); b++)
        {
            final long first = Math.max(1, (long)b << BUCKET_BITS);
            final long end = Math.min(last, ((long)b + 1 << BUCKET_BITS) - 1);
            if (check.counts[b] == end - first + 1)
            {
                assertEquals(expected.buckets.get(b), check.sums[b], check.collection.name() + ": the tail's " +
                    "entries of sequences " + first + ".." + end + " are those appended");
            }
        }
        assertTrue(check.delivered.get() > 0, check.collection.name() + ": the tail delivered entries");
    }

    /**
     * Replay collection {@code c} above its checkpoint: every sequence once, in order, no gap; the checksums of
     * every whole block above the checkpoint equal the producers'; each producer's entries in its order.
     */
    private static void check(final Wal wal, final int c, final Expected expected)
    {
        final WalCollection collection = wal.collection(name(c));
        final long checkpoint = collection.checkpointSequence();
        final long last = collection.lastSequence();
        final long[] actual = new long[MAX_BUCKETS];
        final long[] lastCounter = new long[PRODUCERS];
        java.util.Arrays.fill(lastCounter, -1);
        long next = checkpoint + 1;
        try (WalReplay replay = collection.replay(checkpoint + 1))
        {
            while (replay.hasNext())
            {
                final WalRecord r = replay.next();
                assertEquals(next, r.sequence(), name(c) + ": sequences above the checkpoint " + checkpoint +
                    " replay once each, in order");
                next++;
                final byte[] key = r.key();
                final byte[] value = r.value();
                actual[bucket(r.sequence())] += hash(r.sequence(), key, 0, key.length, value, 0, value.length);
                final ByteBuffer k = ByteBuffer.wrap(key);
                final int producer = k.getInt();
                final long counter = k.getLong();
                assertTrue(counter > lastCounter[producer], name(c) + "#" + r.sequence() + ": producer " + producer +
                    "'s entry " + counter + " after its entry " + lastCounter[producer]);
                lastCounter[producer] = counter;
            }
        }
        assertEquals(last, next - 1, name(c) + ": replay ends at the last sequence");
        for (int b = bucket(checkpoint) + 1; b <= bucket(last); b++)
        {
            assertEquals(expected.buckets.get(b), actual[b], name(c) + ": the entries of sequences " +
                ((long)b << BUCKET_BITS) + ".." + (((long)b + 1 << BUCKET_BITS) - 1) + " are those appended");
        }
    }

    private static int bucket(final long sequence)
    {
        final long b = sequence >>> BUCKET_BITS;
        if (b >= MAX_BUCKETS)
        {
            throw new IllegalStateException("more sequences per collection than this test counts");
        }
        return (int)b;
    }

    private static long hash(final long sequence, final byte[] key, final int keyOffset, final int keyLength,
        final byte[] value, final int valueOffset, final int valueLength)
    {
        long h = sequence * 0x9E3779B97F4A7C15L;
        for (int i = 0; i < keyLength; i++)
        {
            h = (h ^ key[keyOffset + i]) * 0x100000001B3L;
        }
        for (int i = 0; i < valueLength; i++)
        {
            h = (h ^ value[valueOffset + i]) * 0x100000001B3L;
        }
        return h ^ (h >>> 31);
    }

    private static String name(final int c)
    {
        return "c" + c;
    }

    private interface Body
    {
        void run() throws Exception;
    }

    private static Thread start(final String name, final AtomicReference<Throwable> failure, final Body body)
    {
        final Thread t = new Thread(() ->
        {
            try
            {
                body.run();
            }
            catch (final Throwable ex)
            {
                failure.compareAndSet(null, new AssertionError(name + " failed", ex));
            }
        }, name);
        t.start();
        return t;
    }

    private static void join(final Thread t) throws InterruptedException
    {
        t.join(TimeUnit.MINUTES.toMillis(10));
        assertTrue(!t.isAlive(), t.getName() + " ended within 10 minutes");
    }

    private static void sleep(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
