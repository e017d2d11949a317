package dev.spindle.wal;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.spindle.wal.WalTestSupport.replayAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariant 2 under concurrency: per collection, sequences start at 1 and go up by exactly one per
 * appended entry, whatever the threads, lanes, I/O mode and affinity; replay returns each exactly once
 * in order; a reopened WAL continues where it stopped.
 */
class SequenceInvariantTest
{
    private static final int THREADS = 4;
    private static final int PER_THREAD_PER_COLLECTION = 5000;
    private static final List<String> COLLECTIONS = List.of("alpha", "beta");
    private static final int PER_COLLECTION = THREADS * PER_THREAD_PER_COLLECTION;

    @TempDir
    Path dir;

    static Stream<Arguments> ioModesAndAffinity()
    {
        final List<Arguments> list = new ArrayList<>();
        for (final IoMode mode : IoMode.values())
        {
            list.add(Arguments.of(mode, true));
            list.add(Arguments.of(mode, false));
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0}, affinity={1}")
    @MethodSource("ioModesAndAffinity")
    void shouldReplayEveryCollectionExactlyOnceInOrderWhenManyThreadsAppend(final IoMode ioMode,
        final boolean affinity) throws Exception
    {
        final WalOptions options = WalOptions.builder()
            .walUrls(dir.resolve("lane0").toString(), dir.resolve("lane1").toString())
            .ioMode(ioMode)
            .collectionAffinity(affinity)
            .distributionStrategy(DistributionStrategy.RoundRobin)
            .diskSegmentSizeBytes(256 * 1024)
            .build();

        // payload: (thread, index within thread) so replay can check each entry is the one appended
        try (Wal wal = Wal.open(options))
        {
            final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try
            {
                final List<Future<long[][]>> results = new ArrayList<>();
                for (int t = 0; t < THREADS; t++)
                {
                    final int thread = t;
                    final Callable<long[][]> producer = () -> {
                        final WalCollection[] handles = new WalCollection[COLLECTIONS.size()];
                        for (int c = 0; c < handles.length; c++)
                        {
                            handles[c] = wal.collection(COLLECTIONS.get(c));
                        }
                        final long[][] returned = new long[handles.length][PER_THREAD_PER_COLLECTION];
                        final Entry entry = new Entry();
                        final byte[] value = new byte[8];
                        for (int i = 0; i < PER_THREAD_PER_COLLECTION; i++)
                        {
                            for (int c = 0; c < handles.length; c++)
                            {
                                ByteBuffer.wrap(value).putInt(thread).putInt(i);
                                entry.clear().op(Op.INSERT).value(value);
                                final long seq = handles[c].append(entry);
                                assertEquals(seq, entry.sequence(), "Entry.sequence() is the returned sequence");
                                returned[c][i] = seq;
                            }
                        }
                        return returned;
                    };
                    results.add(pool.submit(producer));
                }
                final long[][][] all = new long[THREADS][][];
                for (int t = 0; t < THREADS; t++)
                {
                    all[t] = results.get(t).get(60, TimeUnit.SECONDS);
                }
                for (int c = 0; c < COLLECTIONS.size(); c++)
                {
                    final WalCollection collection = wal.collection(COLLECTIONS.get(c));
                    assertEquals(PER_COLLECTION, collection.lastSequence());
                    long max = 0;
                    final boolean[] seen = new boolean[PER_COLLECTION + 1];
                    for (int t = 0; t < THREADS; t++)
                    {
                        long previous = 0;
                        for (int i = 0; i < PER_THREAD_PER_COLLECTION; i++)
                        {
                            final long s = all[t][c][i];
                            assertTrue(s > previous, "thread " + t + " got increasing sequences of " +
                                COLLECTIONS.get(c) + ": " + previous + " then " + s);
                            assertTrue(s >= 1 && s <= PER_COLLECTION, "sequence in range: " + s);
                            assertTrue(!seen[(int)s], "sequence " + s + " given out twice");
                            seen[(int)s] = true;
                            previous = s;
                            max = Math.max(max, s);
                        }
                    }
                    collection.awaitAcknowledged(max);
                    assertEquals(PER_COLLECTION, collection.acknowledgedSequence());
                    checkReplay(collection, all, c);
                }
            }
            finally
            {
                pool.shutdownNow();
            }
        }

        try (Wal wal = Wal.open(options))
        {
            for (int c = 0; c < COLLECTIONS.size(); c++)
            {
                final WalCollection collection = wal.collection(COLLECTIONS.get(c));
                assertEquals(PER_COLLECTION, collection.lastSequence());
                final List<WalRecord> records = replayAll(collection, 1);
                assertEquals(PER_COLLECTION, records.size());
                for (int i = 0; i < records.size(); i++)
                {
                    assertEquals(i + 1, records.get(i).sequence());
                }
                final Entry entry = new Entry().value(new byte[]{42});
                final long next = collection.append(entry);
                assertEquals(PER_COLLECTION + 1, next);
                assertEquals(next, entry.sequence());
                collection.awaitAcknowledged(next);
            }
        }
        // every file of every lane: valid, each collection's sequences strictly increasing, continuous
        final WalVerifier.Report report = WalVerifier.verify(options);
        assertTrue(report.clean(), report.findings().toString());
        assertEquals(COLLECTIONS.size() * (PER_COLLECTION + 1L), report.entries());
    }

    /**
     * A watermark never goes back: once {@code awaitAcknowledged(s)} has returned, {@code s} stays
     * acknowledged ({@link WalCollection#acknowledgedSequence()} is "the highest sequence that, with every
     * sequence before it, is acknowledged"), and replay, which reads up to it, returns {@code s}. Appending
     * {@code s + 1} to another lane must not change that.
     */
    @ParameterizedTest
    @EnumSource(value = SyncMode.class, names = {"PerBatch", "Never", "MemoryOnly"})
    void shouldNeverLowerTheAcknowledgedSequenceWhenTheNextEntryGoesToAnotherLane(final SyncMode mode)
    {
        final WalOptions options = WalOptions.builder()
            .walUrls(dir.resolve("lane0").toString(), dir.resolve("lane1").toString())
            .syncMode(mode)
            .collectionAffinity(false)
            .distributionStrategy(DistributionStrategy.RoundRobin)
            .build();
        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection("watermark");
            final Entry entry = new Entry();
            for (int s = 1; s <= 200; s++)
            {
                final long seq = c.append(entry.clear().value(new byte[]{(byte)s}));
                assertEquals(s, seq);
                // s - 1 was acknowledged before this append (awaited in the previous round)
                final long ack = c.acknowledgedSequence();
                assertTrue(ack >= s - 1, mode + ": " + (s - 1) + " was acknowledged, then appending " + s +
                    " lowered acknowledgedSequence() to " + ack);
                assertTrue(c.isAcknowledged(s - 1), mode + ": isAcknowledged(" + (s - 1) + ") became false");
                if (s % 20 == 0)
                {
                    final List<WalRecord> replayed = replayAll(c, 1);
                    assertTrue(replayed.size() >= s - 1, mode + ": replay after " + (s - 1) +
                        " was acknowledged returned only " + replayed.size() + " entries");
                }
                c.awaitAcknowledged(seq);
                assertTrue(c.acknowledgedSequence() >= seq);
            }
        }
    }

    /**
     * Replay must yield 1..N once each, in order, and the entry at sequence s must be the one whose
     * append returned s.
     */
    private static void checkReplay(final WalCollection collection, final long[][][] returned, final int c)
    {
        final long[] bySequenceThread = new long[PER_COLLECTION + 1];
        final long[] bySequenceIndex = new long[PER_COLLECTION + 1];
        for (int t = 0; t < returned.length; t++)
        {
            for (int i = 0; i < PER_THREAD_PER_COLLECTION; i++)
            {
                bySequenceThread[(int)returned[t][c][i]] = t;
                bySequenceIndex[(int)returned[t][c][i]] = i;
            }
        }
        final List<WalRecord> records = replayAll(collection, 1);
        assertEquals(PER_COLLECTION, records.size(), collection.name() + " replays every entry once");
        for (int k = 0; k < records.size(); k++)
        {
            final WalRecord r = records.get(k);
            final long s = k + 1;
            assertEquals(s, r.sequence(), collection.name() + " replays in order without gap");
            final ByteBuffer v = ByteBuffer.wrap(r.value());
            assertEquals(bySequenceThread[(int)s], v.getInt(), "entry " + s + " was appended by that thread");
            assertEquals(bySequenceIndex[(int)s], v.getInt(), "entry " + s + " is that thread's append");
        }
    }
}
