package dev.spindle.wal.internal.lane;

import dev.spindle.wal.DistributionStrategy;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.WalOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Routing over real (MemoryOnly, never started) lanes.
 */
class RouterTest
{
    @TempDir
    Path dir;

    private Lane[] lanes;

    private Lane[] lanes(final int n)
    {
        final WalOptions options = WalOptions.builder().syncMode(SyncMode.MemoryOnly).build();
        lanes = new Lane[n];
        for (int i = 0; i < n; i++)
        {
            lanes[i] = new Lane(i, "lane" + i, dir.resolve("lane" + i), options, 1, null, lanes.length);
        }
        return lanes;
    }

    @AfterEach
    void close()
    {
        for (final Lane lane : lanes)
        {
            lane.close();
        }
    }

    private static CollectionState collection(final String name, final int lanes)
    {
        return new CollectionState(name, lanes, true);
    }

    @Test
    void shouldRoundRobinOverLanesWithoutAffinity()
    {
        final Router router = new Router(lanes(3), DistributionStrategy.RoundRobin, false);
        final CollectionState c = collection("docs", 3);
        final Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 3; i++)
        {
            seen.add(router.laneFor(c));
        }
        assertEquals(Set.of(0, 1, 2), seen);
    }

    @Test
    void shouldKeepACollectionOnItsLaneWithAffinity()
    {
        final Router router = new Router(lanes(3), DistributionStrategy.RoundRobin, true);
        final CollectionState c = collection("docs", 3);
        final int first = router.laneFor(c);
        for (int i = 0; i < 10; i++)
        {
            assertEquals(first, router.laneFor(c));
        }
        assertEquals(first, c.assignedLane());
    }

    @Test
    void shouldHashANameToTheSameLaneInEveryRouter()
    {
        final Lane[] all = lanes(4);
        final int a = new Router(all, DistributionStrategy.Hash, false).laneFor(collection("orders", 4));
        final int b = new Router(all, DistributionStrategy.Hash, false).laneFor(collection("orders", 4));
        assertEquals(a, b);
        assertEquals(Integer.remainderUnsigned(collection("orders", 4).stableHash(), 4), a);
    }

    @Test
    void shouldSkipAFailedLane()
    {
        final Lane[] all = lanes(2);
        all[1].fail("testing", new java.io.IOException("disk gone"));
        final Router roundRobin = new Router(all, DistributionStrategy.RoundRobin, false);
        final Router balanced = new Router(all, DistributionStrategy.LoadBalanced, false);
        for (int i = 0; i < 4; i++)
        {
            assertNotEquals(1, roundRobin.laneFor(collection("c" + i, 2)));
            assertNotEquals(1, balanced.laneFor(collection("c" + i, 2)));
        }
    }

    @Test
    void shouldPlaceOnTheLaneWithTheFewestBytesInFlight()
    {
        final Lane[] all = lanes(3);
        all[0].appending(10_000);
        all[2].appending(5_000);
        assertEquals(1, new Router(all, DistributionStrategy.LoadBalanced, false).laneFor(collection("docs", 3)));
    }

    @Test
    void shouldPlaceNewCollectionsOnTheLaneWithFewestCollectionsBeforeBytesWithAffinity()
    {
        final Lane[] all = lanes(2);
        all[0].appending(1_000_000);    // lane 0 is busier in bytes: it must still get its share of collections
        final Router router = new Router(all, DistributionStrategy.LoadBalanced, true);
        final int[] perLane = new int[2];
        for (int i = 0; i < 4; i++)
        {
            perLane[router.laneFor(collection("c" + i, 2))]++;
        }
        assertEquals(2, perLane[0]);
        assertEquals(2, perLane[1]);
    }

    @Test
    void shouldCountRecoveredCollectionsWhenPlacingNewOnes()
    {
        final Router router = new Router(lanes(2), DistributionStrategy.LoadBalanced, true);
        for (int i = 0; i < 3; i++)
        {
            router.adopt(collection("old" + i, 2), 0);
        }
        for (int i = 0; i < 3; i++)
        {
            assertEquals(1, router.laneFor(collection("new" + i, 2)), "lane 1 holds fewer collections");
        }
        assertEquals(3, router.assignedTo(0));
        assertEquals(3, router.assignedTo(1));
    }

    @Test
    void shouldPlaceRacingFirstAppendsEvenly() throws Exception
    {
        final Lane[] all = lanes(2);
        for (int round = 0; round < 50; round++)
        {
            final Router router = new Router(all, DistributionStrategy.LoadBalanced, true);
            final int threads = 8;
            final java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
            final java.util.concurrent.atomic.AtomicIntegerArray perLane =
                new java.util.concurrent.atomic.AtomicIntegerArray(2);
            final Thread[] racers = new Thread[threads];
            for (int t = 0; t < threads; t++)
            {
                final CollectionState c = collection("r" + t, 2);
                racers[t] = new Thread(() -> {
                    try
                    {
                        start.await(30, java.util.concurrent.TimeUnit.SECONDS);
                    }
                    catch (final Exception ex)
                    {
                        throw new IllegalStateException(ex);
                    }
                    perLane.incrementAndGet(router.laneFor(c));
                });
                racers[t].start();
            }
            for (final Thread racer : racers)
            {
                racer.join(30_000);
                org.junit.jupiter.api.Assertions.assertFalse(racer.isAlive());
            }
            assertEquals(4, perLane.get(0), "round " + round);
            assertEquals(4, perLane.get(1), "round " + round);
        }
    }
}
