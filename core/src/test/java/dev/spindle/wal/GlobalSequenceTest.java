package dev.spindle.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.spindle.wal.WalTestSupport.replayAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Global sequences are given by each lane for its own entries (no counter shared between lanes): unique in the
 * WAL, increasing in each lane's write order, and above every one recovery found after a restart, also one with
 * more lanes than before and one without collection affinity (after clean closes; a crash leaves the highest in
 * the tails, which recovery reads the same way).
 */
class GlobalSequenceTest
{
    private static final int COLLECTIONS = 6;
    private static final int PER_COLLECTION = 2_000;

    @TempDir
    Path dir;

    private WalOptions options(final int lanes)
    {
        return options(lanes, true);
    }

    private WalOptions options(final int lanes, final boolean affinity)
    {
        final List<String> urls = new ArrayList<>();
        for (int i = 0; i < lanes; i++)
        {
            urls.add(dir.resolve("lane" + i).toString());
        }
        return WalOptions.builder().walUrls(urls).distributionStrategy(DistributionStrategy.RoundRobin)
            .collectionAffinity(affinity).diskSegmentSizeBytes(64 * 1024).build();
    }

    @Test
    void shouldGiveUniqueGlobalSequencesThatRiseInEachCollectionAndAfterARestart() throws Exception
    {
        final Map<String, List<WalRecord>> first = writeAndReplay(3, "a");
        long highest = 0;
        final Set<Long> seen = new HashSet<>();
        for (final var records : first.values())
        {
            highest = Math.max(highest, checkRising(records, seen));
        }
        assertEquals(COLLECTIONS * PER_COLLECTION, seen.size(), "every global sequence is unique");
        assertSameLaneSameResidue(first, 3);

        final Map<String, List<WalRecord>> second = writeAndReplay(4, "b");    // one lane more than before
        for (final var e : second.entrySet())
        {
            final List<WalRecord> records = e.getValue();
            final List<WalRecord> added = e.getKey().startsWith("b") ? records : List.of();
            for (final WalRecord r : added)
            {
                assertTrue(r.globalSequence() > highest, r + " is above " + highest + ", the highest before the restart");
            }
            checkRising(added, seen);
        }
        assertEquals(2 * COLLECTIONS * PER_COLLECTION, seen.size(), "unique across the restart");
        for (final var records : second.values())
        {
            for (final WalRecord r : records)
            {
                highest = Math.max(highest, r.globalSequence());
            }
        }

        // without affinity a collection's entries spread over the lanes: unique still, and above all before
        final Map<String, List<WalRecord>> third = writeAndReplay(4, false, "c");
        for (final var e : third.entrySet())
        {
            if (e.getKey().startsWith("c"))
            {
                for (final WalRecord r : e.getValue())
                {
                    assertTrue(r.globalSequence() > highest, r + " is above " + highest);
                    assertTrue(seen.add(r.globalSequence()), r + " has a global sequence no other entry has");
                }
            }
        }
        assertEquals(3 * COLLECTIONS * PER_COLLECTION, seen.size(), "unique across both restarts");
    }

    /** Write {@link #PER_COLLECTION} entries to each of {@link #COLLECTIONS} new collections from 3 threads. */
    private Map<String, List<WalRecord>> writeAndReplay(final int lanes, final String prefix) throws Exception
    {
        return writeAndReplay(lanes, true, prefix);
    }

    private Map<String, List<WalRecord>> writeAndReplay(final int lanes, final boolean affinity, final String prefix)
        throws Exception
    {
        final Map<String, List<WalRecord>> replayed = new HashMap<>();
        try (Wal wal = Wal.open(options(lanes, affinity)))
        {
            final ExecutorService pool = Executors.newFixedThreadPool(3);
            try
            {
                final List<Future<?>> done = new ArrayList<>();
                for (int c = 0; c < COLLECTIONS; c++)
                {
                    final WalCollection collection = wal.collection(prefix + c);
                    done.add(pool.submit(() -> {
                        long last = 0;
                        for (int i = 0; i < PER_COLLECTION; i++)
                        {
                            last = collection.append(new Entry().op(Op.INSERT)
                                .value(("v" + i).getBytes(StandardCharsets.UTF_8)));
                        }
                        collection.awaitAcknowledged(last);
                        return null;
                    }));
                }
                for (final Future<?> f : done)
                {
                    f.get(60, TimeUnit.SECONDS);
                }
            }
            finally
            {
                pool.shutdownNow();
            }
            for (final String name : wal.collections())
            {
                replayed.put(name, replayAll(wal.collection(name), 1));
            }
        }
        return replayed;
    }

    /** @return the highest global sequence of {@code records}, which must rise with the sequence. */
    private static long checkRising(final List<WalRecord> records, final Set<Long> seen)
    {
        long previous = Long.MIN_VALUE;
        for (final WalRecord r : records)
        {
            assertTrue(r.globalSequence() > previous, r + " has a global sequence above the entry before it");
            assertTrue(seen.add(r.globalSequence()), r + " has a global sequence no other entry has");
            previous = r.globalSequence();
        }
        return previous;
    }

    /** With affinity each collection lives on one lane, and a lane's global sequences share their residue. */
    private static void assertSameLaneSameResidue(final Map<String, List<WalRecord>> byCollection, final int lanes)
    {
        final Set<Long> residues = new HashSet<>();
        for (final var e : byCollection.entrySet())
        {
            final long residue = e.getValue().get(0).globalSequence() % lanes;
            for (final WalRecord r : e.getValue())
            {
                assertEquals(residue, r.globalSequence() % lanes, r + ": one lane, one residue");
            }
            residues.add(residue);
        }
        assertEquals(lanes, residues.size(), "round robin put collections on every lane: " + residues);
    }
}
