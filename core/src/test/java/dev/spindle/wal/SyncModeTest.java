package dev.spindle.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.spindle.wal.WalTestSupport.bytes;
import static dev.spindle.wal.WalTestSupport.range;
import static dev.spindle.wal.WalTestSupport.replayAll;
import static dev.spindle.wal.WalTestSupport.sealed;
import static dev.spindle.wal.WalTestSupport.sequences;
import static dev.spindle.wal.WalTestSupport.walk;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What acknowledgement and durability mean in each {@link SyncMode}.
 */
class SyncModeTest
{
    private static final int N = 200;

    @TempDir
    Path dir;

    private WalOptions.Builder options(final SyncMode mode, final IoMode ioMode)
    {
        return WalOptions.builder()
            .walUrls(dir.resolve("lane0").toString(), dir.resolve("lane1").toString())
            .syncMode(mode)
            .ioMode(ioMode)
            .flushIntervalMs(50)
            .diskSegmentSizeBytes(WalOptions.MIB);
    }

    private static long appendN(final WalCollection c, final int n)
    {
        final Entry e = new Entry();
        long last = 0;
        for (int i = 1; i <= n; i++)
        {
            last = c.append(e.clear().value(bytes(100, i)));
        }
        return last;
    }

    @ParameterizedTest
    @EnumSource(value = SyncMode.class, names = {"Always", "PerBatch"})
    void shouldBeDurableAsSoonAsAcknowledgedWhenTheModeAcknowledgesDurable(final SyncMode mode)
    {
        for (final IoMode ioMode : IoMode.values())
        {
            try (Wal wal = Wal.open(options(mode, ioMode).build()))
            {
                final WalCollection c = wal.collection("durable-" + ioMode);
                long last = 0;
                for (int i = 1; i <= N; i++)
                {
                    last = c.append(new Entry().value(bytes(100, i)));
                    if (i % 37 == 0)
                    {
                        c.awaitAcknowledged(last);
                        assertTrue(c.durableSequence() >= last, mode + ": durable " + c.durableSequence() +
                            " < acknowledged " + last);
                    }
                }
                c.awaitAcknowledged(last);
                assertTrue(c.durableSequence() >= last);
                assertTrue(c.isAcknowledged(last));
                // awaitDurable has nothing left to wait for
                assertTrue(c.awaitDurable(last, 1, TimeUnit.MILLISECONDS));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void shouldBecomeDurableAfterTheFlushIntervalWhenPeriodic(final IoMode ioMode)
    {
        try (Wal wal = Wal.open(options(SyncMode.Periodic, ioMode).build()))
        {
            final WalCollection c = wal.collection("periodic");
            final long last = appendN(c, N);
            c.awaitAcknowledged(last);
            // generous bound against hanging; the flush interval is 50 ms
            assertTrue(c.awaitDurable(last, 10, TimeUnit.SECONDS), "durable within a periodic sync");
            assertTrue(c.durableSequence() >= last);
            assertEquals(range(1, N), sequences(replayAll(c, 1)));
        }
        try (Wal wal = Wal.open(options(SyncMode.Periodic, ioMode).build()))
        {
            assertEquals(range(1, N), sequences(replayAll(wal.collection("periodic"), 1)));
        }
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void shouldAcknowledgeWithoutDurabilityAndReplayEverythingAfterCloseWhenNever(final IoMode ioMode)
    {
        try (Wal wal = Wal.open(options(SyncMode.Never, ioMode).build()))
        {
            final WalCollection c = wal.collection("never");
            final long last = appendN(c, N);
            c.awaitAcknowledged(last);
            assertEquals(last, c.acknowledgedSequence());
            // Never forces only at seal and close: no segment is full, so nothing may claim durability
            assertTrue(c.durableSequence() < last, "durable " + c.durableSequence() + " without any fsync");
            assertEquals(range(1, N), sequences(replayAll(c, 1)), "acknowledged entries replay while open");
        }
        try (Wal wal = Wal.open(options(SyncMode.Never, ioMode).build()))
        {
            final WalCollection c = wal.collection("never");
            assertEquals(N, c.lastSequence());
            assertEquals(N, c.durableSequence(), "what was on disk at reopen is durable");
            final List<WalRecord> records = replayAll(c, 1);
            assertEquals(range(1, N), sequences(records));
            for (int i = 1; i <= N; i++)
            {
                assertArrayEquals(bytes(100, i), records.get(i - 1).value());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void shouldForceAndSealFullSegmentsOffTheLaneThreadWhenNever(final IoMode ioMode)
    {
        final int n = 3500;    // 1,000-byte values: three full 1 MiB segments and a part
        final Entry e = new Entry();
        try (Wal wal = Wal.open(options(SyncMode.Never, ioMode).build()))
        {
            final WalCollection c = wal.collection("rolling");
            long last = 0;
            for (int i = 1; i <= n; i++)
            {
                last = c.append(e.clear().value(bytes(1000, i)));
            }
            c.awaitAcknowledged(last);
            // no further append: the background force finishes and the lane seals at its next tick
            assertTrue(c.awaitDurable(2000, 30, TimeUnit.SECONDS), "durable " + c.durableSequence());
            assertTrue(c.durableSequence() < last, "the active segment is not durable yet");
            WalTestSupport.eventually(30_000, "two sealed segments", () ->
                sealed(dir.resolve("lane0").resolve("rolling")).size() + sealed(dir.resolve("lane1").resolve("rolling"))
                    .size() >= 2);
            assertEquals(range(1, n), sequences(replayAll(c, 1)));
        }
        try (Wal wal = Wal.open(options(SyncMode.Never, ioMode).build()))
        {
            final WalCollection c = wal.collection("rolling");
            assertEquals(n, c.lastSequence());
            final List<WalRecord> records = replayAll(c, 1);
            assertEquals(range(1, n), sequences(records));
            assertArrayEquals(bytes(1000, n), records.get(n - 1).value());
        }
    }

    @Test
    void shouldKeepNothingOnDiskWhenMemoryOnly()
    {
        final Path lanes = dir.resolve("wal");
        final WalOptions options = WalOptions.builder()
            .walUrls(lanes.resolve("lane0").toString(), lanes.resolve("lane1").toString())
            .syncMode(SyncMode.MemoryOnly)
            .distributionStrategy(DistributionStrategy.RoundRobin)
            .diskSegmentSizeBytes(64 * 1024)
            .build();
        try (Wal wal = Wal.open(options))
        {
            // two collections: with RoundRobin and affinity, one per lane
            for (final String name : List.of("mem-a", "mem-b"))
            {
                final WalCollection c = wal.collection(name);
                final long last = appendN(c, 2000);
                c.awaitAcknowledged(last);
                assertEquals(2000, last);
                final List<WalRecord> records = replayAll(c, 1);
                assertEquals(range(1, 2000), sequences(records), "replay within the open WAL");
                for (int i = 1; i <= 2000; i++)
                {
                    assertArrayEquals(bytes(100, i), records.get(i - 1).value());
                }
                assertEquals(range(1500, 2000), sequences(replayAll(c, 1500)));
                assertEquals(0, c.durableSequence());
                assertThrows(IllegalStateException.class, () -> c.awaitDurable(last));
                assertThrows(IllegalStateException.class, () -> c.awaitDurable(last, 1, TimeUnit.SECONDS));

                // 2000 entries of ~150 bytes fill several 64 KiB segments: a checkpoint frees the full ones
                c.checkpoint(1000);
                assertEquals(1000, c.checkpointSequence());
                final List<Long> left = sequences(replayAll(c, 1));
                assertTrue(left.get(0) > 1 && left.get(0) <= 1001,
                    "the checkpoint freed the in-memory segments wholly below it: replay starts at " + left.get(0));
                assertEquals(range(left.get(0), 2000), left);
                c.checkpoint(last);
                assertEquals(last, c.checkpointSequence());
                final List<Long> active = sequences(replayAll(c, 1));
                assertTrue(active.size() < 500, "only the active segment is left: " + active.size() + " entries");
                assertEquals(range(2001 - active.size(), 2000), active);
            }
            assertEquals(List.of(), walk(lanes), "MemoryOnly creates no file or directory: " + walk(lanes));
        }
        assertEquals(List.of(), walk(lanes), "MemoryOnly creates no file or directory, not even at close: " +
            walk(lanes));
        try (Wal wal = Wal.open(options))
        {
            assertEquals(List.of(), new ArrayList<>(wal.collections()), "nothing survives a MemoryOnly WAL");
            final WalCollection c = wal.collection("mem-a");
            assertEquals(0, c.lastSequence());
            assertEquals(List.of(), sequences(replayAll(c, 1)));
            final long first = c.append(new Entry().value(new byte[]{1}));
            assertEquals(1, first);
            c.awaitAcknowledged(first);
        }
        assertEquals(List.of(), walk(lanes));
    }

    /**
     * MemoryOnly has no durability to wait for, so a full in-memory segment can be sealed (and then freed
     * by a checkpoint) at once, even when its collection is spread over several lanes.
     */
    @Test
    void shouldSealFullSegmentsOfEveryLaneWhenMemoryOnlyCollectionIsSpreadOverLanes()
    {
        final WalOptions options = WalOptions.builder()
            .walUrls(dir.resolve("lane0").toString(), dir.resolve("lane1").toString())
            .syncMode(SyncMode.MemoryOnly)
            .collectionAffinity(false)
            .distributionStrategy(DistributionStrategy.RoundRobin)
            .diskSegmentSizeBytes(64 * 1024)
            .build();
        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection("spread");
            final long last = appendN(c, 2000);
            c.awaitAcknowledged(last);
            // every lane keeps at most its active segment unsealed (polled: sealing may lag a batch or a tick)
            WalTestSupport.eventually(5000, () -> "only active segments left unsealed: " + wal.stats(), () ->
                wal.stats().lanes().stream().flatMap(l -> l.collections().stream())
                    .allMatch(s -> s.activeSegments() <= 1));
            c.checkpoint(last);
            for (final WalStats.LaneStats lane : wal.stats().lanes())
            {
                for (final WalStats.CollectionStats s : lane.collections())
                {
                    assertEquals(0, s.sealedSegments(), "lane " + lane.index() + ": everything sealed was freed");
                    assertTrue(s.activeSegments() <= 1, "lane " + lane.index() + ": " + s);
                }
            }
            final List<Long> left = sequences(replayAll(c, 1));
            assertTrue(left.size() < 1000, "a checkpoint at the end frees all but the active segments: " +
                left.size() + " entries left");
            assertTrue(left.containsAll(range(1990, 2000)));
        }
    }

    @ParameterizedTest
    @EnumSource(SyncMode.class)
    void shouldCompleteEveryAppendAsyncFutureWithItsSequenceInEveryMode(final SyncMode mode)
    {
        for (final boolean affinity : new boolean[]{true, false})
        {
            final Path base = dir.resolve(mode + "-" + affinity);
            final WalOptions options = WalOptions.builder()
                .walUrls(base.resolve("lane0").toString(), base.resolve("lane1").toString())
                .syncMode(mode)
                .collectionAffinity(affinity)
                .distributionStrategy(DistributionStrategy.RoundRobin)
                .flushIntervalMs(50)
                .diskSegmentSizeBytes(64 * 1024)
                .build();
            try (Wal wal = Wal.open(options))
            {
                final WalCollection c = wal.collection("async");
                final List<CompletableFuture<Long>> futures = new ArrayList<>();
                final Entry e = new Entry();
                for (int i = 1; i <= 500; i++)
                {
                    final CompletableFuture<Long> f = c.appendAsync(e.clear().value(bytes(150, i)));
                    assertEquals(i, e.sequence(), "the entry holds its sequence once appendAsync returns");
                    futures.add(f);
                }
                for (int i = 1; i <= 500; i++)
                {
                    assertEquals((long)i, futures.get(i - 1).orTimeout(30, TimeUnit.SECONDS).join(),
                        mode + " affinity=" + affinity + ": future of the " + i + "th append");
                    final long ack = c.acknowledgedSequence();
                    final int sequence = i;
                    assertTrue(ack >= i, () -> mode + " affinity=" + affinity + ": future of " + sequence +
                        " completed but acknowledged is " + ack + " (now " + c.acknowledgedSequence() + ")");
                    if (mode.acknowledgesDurable())
                    {
                        assertTrue(c.durableSequence() >= i, mode + ": a completed future means durable");
                    }
                }
            }
        }
    }
}
