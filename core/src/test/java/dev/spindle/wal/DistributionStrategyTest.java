package dev.spindle.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.spindle.wal.WalTestSupport.crc32c;
import static dev.spindle.wal.WalTestSupport.directories;
import static dev.spindle.wal.WalTestSupport.range;
import static dev.spindle.wal.WalTestSupport.replayAll;
import static dev.spindle.wal.WalTestSupport.sealed;
import static dev.spindle.wal.WalTestSupport.segmentSequences;
import static dev.spindle.wal.WalTestSupport.sequences;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How collections (with affinity) or appends (without) are spread over lanes, and that a collection's
 * lane survives a restart.
 */
class DistributionStrategyTest
{
    private static final int LANES = 3;

    /**
     * Names chosen so that both halves of the CRC32C range occur: some have the top bit of their
     * CRC32C set, where an unsigned and a signed reading of the checksum give different lanes.
     */
    private static final List<String> HASH_NAMES = List.of(
        "orders", "users", "events", "vectors", "a", "b", "c", "metrics", "audit-log", "sessions.v2",
        "x_1", "x_2", "x_3", "x_4", "x_5", "x_6");

    @TempDir
    Path dir;

    private Path[] lanes(final Path base)
    {
        final Path[] lanes = new Path[LANES];
        for (int i = 0; i < LANES; i++)
        {
            lanes[i] = base.resolve("lane" + i);
        }
        return lanes;
    }

    private static WalOptions.Builder options(final Path[] lanes)
    {
        final List<String> urls = new ArrayList<>();
        for (final Path lane : lanes)
        {
            urls.add(lane.toString());
        }
        return WalOptions.builder().walUrls(urls).diskSegmentSizeBytes(64 * 1024);
    }

    private static Entry entry(final String text)
    {
        return new Entry().op(Op.INSERT).value(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @return for each collection name found in a lane directory, that lane's index; fails on a
     *     collection present in two lanes.
     */
    private static Map<String, Integer> laneOfEachCollection(final Path[] lanes)
    {
        final Map<String, Integer> laneOf = new HashMap<>();
        for (int l = 0; l < lanes.length; l++)
        {
            for (final String name : directories(lanes[l]))
            {
                final Integer previous = laneOf.put(name, l);
                assertEquals(null, previous, name + " has a directory in lane " + previous + " and lane " + l);
            }
        }
        return laneOf;
    }

    @Test
    void shouldGiveEachLaneAThirdOfTheCollectionsWhenRoundRobinWithAffinity()
    {
        final Path[] lanes = lanes(dir);
        try (Wal wal = Wal.open(options(lanes).distributionStrategy(DistributionStrategy.RoundRobin)
            .collectionAffinity(true).build()))
        {
            for (int i = 0; i < 30; i++)
            {
                final WalCollection c = wal.collection("rr-" + i);
                c.awaitAcknowledged(c.append(entry("one")));
            }
            for (int l = 0; l < LANES; l++)
            {
                assertEquals(10, directories(lanes[l]).size(),
                    "lane " + l + " collection directories: " + directories(lanes[l]));
            }
        }
        final Map<String, Integer> laneOf = laneOfEachCollection(lanes);
        assertEquals(30, laneOf.size());
    }

    @Test
    void shouldPlaceEachCollectionOnTheSameLaneInAnyWalWhenHash()
    {
        // The same names in another order, in two unrelated WALs: the lane depends on the name only.
        final Path[] first = lanes(dir.resolve("first"));
        final Path[] second = lanes(dir.resolve("second"));
        try (Wal wal = Wal.open(options(first).distributionStrategy(DistributionStrategy.Hash).build()))
        {
            for (final String name : HASH_NAMES)
            {
                final WalCollection c = wal.collection(name);
                c.awaitAcknowledged(c.append(entry(name)));
            }
        }
        try (Wal wal = Wal.open(options(second).distributionStrategy(DistributionStrategy.Hash).build()))
        {
            for (int i = HASH_NAMES.size() - 1; i >= 0; i--)
            {
                final WalCollection c = wal.collection(HASH_NAMES.get(i));
                c.awaitAcknowledged(c.append(entry("other")));
                c.awaitAcknowledged(c.append(entry("other")));
            }
        }
        final Map<String, Integer> a = laneOfEachCollection(first);
        final Map<String, Integer> b = laneOfEachCollection(second);
        assertEquals(HASH_NAMES.size(), a.size());
        assertEquals(a, b);
    }

    @Test
    void shouldPlaceEachCollectionOnTheLaneOfItsCrc32cModuloLaneCountWhenHash()
    {
        // DistributionStrategy.Hash: "A stable hash (CRC32C of the collection name's UTF-8 bytes) modulo
        // the lane count". CRC32C is an unsigned 32-bit checksum (CRC32C.getValue() is never negative),
        // which is also what any other tool (Python crc32c, Go hash/crc32 Castagnoli) computes.
        final Path[] lanes = lanes(dir);
        try (Wal wal = Wal.open(options(lanes).distributionStrategy(DistributionStrategy.Hash).build()))
        {
            for (final String name : HASH_NAMES)
            {
                final WalCollection c = wal.collection(name);
                c.awaitAcknowledged(c.append(entry(name)));
            }
        }
        final Map<String, Integer> laneOf = laneOfEachCollection(lanes);
        final Map<String, Integer> expected = new HashMap<>();
        for (final String name : HASH_NAMES)
        {
            expected.put(name, (int)Math.floorMod(crc32c(name), (long)LANES));
        }
        assertEquals(expected, laneOf);
    }

    @Test
    void shouldKeepACollectionOnItsLaneAfterRestartWhenTheStrategyChanges()
    {
        final Path[] lanes = lanes(dir);
        try (Wal wal = Wal.open(options(lanes).distributionStrategy(DistributionStrategy.Hash).build()))
        {
            for (final String name : HASH_NAMES)
            {
                final WalCollection c = wal.collection(name);
                c.awaitAcknowledged(c.append(entry(name + "-1")));
            }
        }
        final Map<String, Integer> before = laneOfEachCollection(lanes);
        try (Wal wal = Wal.open(options(lanes).distributionStrategy(DistributionStrategy.RoundRobin)
            .collectionAffinity(true).build()))
        {
            for (final String name : HASH_NAMES)
            {
                final WalCollection c = wal.collection(name);
                final long seq = c.append(entry(name + "-2"));
                assertEquals(2, seq);
                c.awaitAcknowledged(seq);
                c.awaitAcknowledged(c.append(entry(name + "-3")));
            }
        }
        assertEquals(before, laneOfEachCollection(lanes), "every collection stayed in the lane it was first given");
        try (Wal wal = Wal.open(options(lanes).distributionStrategy(DistributionStrategy.LoadBalanced).build()))
        {
            for (final String name : HASH_NAMES)
            {
                final List<WalRecord> records = replayAll(wal.collection(name), 1);
                assertEquals(List.of(1L, 2L, 3L), sequences(records), name);
                assertEquals(name + "-3", new String(records.get(2).value(), StandardCharsets.UTF_8));
            }
        }
        assertEquals(before, laneOfEachCollection(lanes));
    }

    @Test
    void shouldUseEveryLaneWhenLoadBalancedWithAffinity()
    {
        final Path[] lanes = lanes(dir);
        try (Wal wal = Wal.open(options(lanes).distributionStrategy(DistributionStrategy.LoadBalanced)
            .collectionAffinity(true).build()))
        {
            for (int i = 0; i < 12; i++)
            {
                final WalCollection c = wal.collection("lb-" + i);
                c.awaitAcknowledged(c.append(entry("payload-" + i)));
            }
        }
        final Map<String, Integer> laneOf = laneOfEachCollection(lanes);
        assertEquals(12, laneOf.size());
        for (int l = 0; l < LANES; l++)
        {
            assertFalse(directories(lanes[l]).isEmpty(), "lane " + l + " got no collection: " + laneOf);
        }
    }

    @Test
    void shouldSpreadNewCollectionsEvenlyWhenTheirFirstAppendsRace() throws Exception
    {
        for (int round = 0; round < 10; round++)
        {
            final Path[] lanes = lanes(dir.resolve("round-" + round));
            try (Wal wal = Wal.open(options(lanes).distributionStrategy(DistributionStrategy.LoadBalanced)
                .collectionAffinity(true).build()))
            {
                final int collections = 2 * LANES;
                final java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(collections);
                final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(
                    collections);
                try
                {
                    final List<java.util.concurrent.Future<Long>> done = new ArrayList<>();
                    for (int c = 0; c < collections; c++)
                    {
                        final WalCollection collection = wal.collection("race-" + c);
                        done.add(pool.submit(() -> {
                            start.await(30, java.util.concurrent.TimeUnit.SECONDS);
                            final long s = collection.append(entry("first"));
                            collection.awaitAcknowledged(s);
                            return s;
                        }));
                    }
                    for (final java.util.concurrent.Future<Long> f : done)
                    {
                        assertEquals(1L, f.get(30, java.util.concurrent.TimeUnit.SECONDS));
                    }
                }
                finally
                {
                    pool.shutdownNow();
                }
            }
            for (int l = 0; l < LANES; l++)
            {
                assertEquals(2, directories(lanes[l]).size(), "round " + round + ": lane " + l + " holds " +
                    directories(lanes[l]) + " of " + laneOfEachCollection(lanes));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void shouldSpreadOneCollectionOverAllLanesAndReplayItInOrderWhenRoundRobinWithoutAffinity(final IoMode ioMode)
    {
        final Path[] lanes = lanes(dir);
        final WalOptions options = options(lanes).distributionStrategy(DistributionStrategy.RoundRobin)
            .collectionAffinity(false).ioMode(ioMode).build();
        final int n = 300;
        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection("spread");
            final Entry e = new Entry();
            long last = 0;
            for (int i = 1; i <= n; i++)
            {
                last = c.append(e.clear().value(("v" + i).repeat(20).getBytes(StandardCharsets.UTF_8)));
                assertEquals(i, last);
            }
            c.awaitAcknowledged(last);
            final List<WalRecord> live = replayAll(c, 1);
            assertEquals(range(1, n), sequences(live), "replay while open merges the lanes");
        }
        final List<Long> all = new ArrayList<>();
        for (int l = 0; l < LANES; l++)
        {
            final Path collectionDir = lanes[l].resolve("spread");
            final List<Path> files = sealed(collectionDir);
            assertFalse(files.isEmpty(), "lane " + l + " holds part of the collection");
            for (final Path file : files)
            {
                final List<Long> seqs = segmentSequences(file);
                assertFalse(seqs.isEmpty(), file + " holds entries");
                all.addAll(seqs);
            }
        }
        all.sort(null);
        assertEquals(range(1, n), all, "every sequence lies in exactly one file of one lane");

        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection("spread");
            assertEquals(n, c.lastSequence());
            final List<WalRecord> records = replayAll(c, 1);
            assertEquals(range(1, n), sequences(records), "replay after reopen merges the lanes");
            for (int i = 1; i <= n; i++)
            {
                assertEquals(("v" + i).repeat(20), new String(records.get(i - 1).value(), StandardCharsets.UTF_8));
            }
            assertEquals(range(150, n), sequences(replayAll(c, 150)));
            final long next = c.append(new Entry().value(new byte[]{1}));
            assertEquals(n + 1, next);
            c.awaitAcknowledged(next);
        }
        final WalVerifier.Report report = WalVerifier.verify(options);
        assertTrue(report.clean(), report.findings().toString());
        assertEquals(n + 1, report.entries());
    }
}
