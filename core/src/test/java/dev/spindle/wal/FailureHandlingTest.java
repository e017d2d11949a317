package dev.spindle.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What happens when something goes wrong in the middle: a lane that fails while a collection spread
 * over lanes has entries on it, a producer that fails after taking a sequence, unreadable checkpoint
 * files, collection directories that are links. Each was found in review; each must end with nothing
 * acknowledged lost, no gap, and an error rather than a hang.
 */
class FailureHandlingTest
{
    @TempDir
    Path dir;

    private static Entry entry(final int i)
    {
        return new Entry().op(Op.INSERT).key(("k" + i).getBytes()).value(("v" + i).getBytes());
    }

    private static List<Long> replay(final Wal wal, final String collection)
    {
        final List<Long> out = new ArrayList<>();
        try (WalReplay r = wal.replay(collection, 1))
        {
            r.forEachRemaining(rec -> out.add(rec.sequence()));
        }
        return out;
    }

    @Test
    void shouldFailLaterFuturesAndRefuseAppendsWhenALaneHoldingAnEarlierEntryFails() throws Exception
    {
        final Path a = dir.resolve("a");
        final Path b = dir.resolve("b");
        final WalOptions options = WalOptions.builder().walUrls(a.toString(), b.toString())
            .distributionStrategy(DistributionStrategy.RoundRobin).collectionAffinity(false).build();
        final Wal wal = Wal.open(options);
        Files.writeString(a.resolve("c"), "not a directory");         // lane 0 cannot make the collection's directory
        final CompletableFuture<Long> first = wal.appendAsync("c", entry(1));
        final ExecutionException failed = assertThrows(ExecutionException.class, () -> first.get(10, TimeUnit.SECONDS));
        assertTrue(failed.getCause() instanceof WalException, failed.toString());

        // sequence 1 can never be written, so nothing after it may be acknowledged: refuse, don't hang
        final WalException refused = assertThrows(WalException.class, () -> wal.appendAsync("c", entry(2)));
        assertTrue(refused.getMessage().contains("failed lane 0"), refused.getMessage());
        wal.close();

        Files.delete(a.resolve("c"));
        try (Wal reopened = Wal.open(options))
        {
            assertEquals(List.of(), replay(reopened, "c"));
            assertEquals(1L, reopened.append("c", entry(1)), "sequences start again where nothing was lost");
        }
        assertTrue(WalVerifier.verify(options).clean());
    }

    /**
     * Issue 10's first defect: with a collection spread over lanes, the lane that blocks an acknowledgement was found
     * as "the first lane with entries pending", so a busy healthy lane hid a failed one, and futures waited until
     * close. Every future must now end, with its sequence or with the lane's error.
     */
    @Test
    void shouldEndEveryFutureWhenALaneFailsWhileAnotherIsBusy() throws Exception
    {
        final Path a = dir.resolve("a");
        final Path b = dir.resolve("b");
        final WalOptions options = WalOptions.builder().walUrls(a.toString(), b.toString())
            .distributionStrategy(DistributionStrategy.RoundRobin).collectionAffinity(false).build();
        final Wal wal = Wal.open(options);
        Files.createDirectories(b);
        Files.writeString(b.resolve("c"), "not a directory");          // lane 1 fails on its first entry of c
        final List<CompletableFuture<Long>> futures = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < 4; t++)
        {
            final Thread producer = new Thread(() -> {
                for (int i = 0; i < 20_000; i++)
                {
                    try
                    {
                        futures.add(wal.appendAsync("c", entry(i)));
                    }
                    catch (final WalException refused)
                    {
                        return;                                        // refused once the failure is seen: fine
                    }
                }
            });
            producer.start();
            producers.add(producer);
        }
        for (final Thread producer : producers)
        {
            producer.join(60_000);
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int pending = 0;
        for (final CompletableFuture<Long> f : new ArrayList<>(futures))
        {
            try
            {
                f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            catch (final ExecutionException failed)
            {
                assertTrue(failed.getCause() instanceof WalException, failed.toString());
            }
            catch (final java.util.concurrent.TimeoutException stuck)
            {
                pending++;
            }
        }
        assertEquals(0, pending, "futures still waiting 30 s after the lane failed, of " + futures.size());
        try
        {
            wal.close();
        }
        catch (final WalException expected)
        {
            assertNotNull(expected.getMessage());
        }
    }

    /**
     * A failed lane's entries never land, but its batch still gives their bytes back: were they left counted against
     * global_flush_threshold, every append to every healthy lane would wait for ever.
     */
    @Test
    void shouldKeepAppendingToHealthyLanesWhenAFailedLaneHoldsTheGlobalThreshold() throws Exception
    {
        final Path a = dir.resolve("a");
        final Path b = dir.resolve("b");
        final WalOptions options = WalOptions.builder().walUrls(a.toString(), b.toString())
            .distributionStrategy(DistributionStrategy.RoundRobin).collectionAffinity(true)
            .globalFlushThresholdBytes(64 * 1024).build();
        final Wal wal = Wal.open(options);
        Files.writeString(a.resolve("broken"), "not a directory");
        final CompletableFuture<Long> lost = wal.appendAsync("broken", new Entry().op(Op.INSERT)
            .value(new byte[100 * 1024]));                               // lane 0, over the threshold, never lands
        assertThrows(ExecutionException.class, () -> lost.get(10, TimeUnit.SECONDS));
        final CompletableFuture<Long> healthy = CompletableFuture.supplyAsync(() -> {
            final WalCollection c = wal.collection("healthy");             // lane 1
            long last = 0;
            for (int i = 0; i < 100; i++)
            {
                last = c.append(new Entry().op(Op.INSERT).value(new byte[4096]));
            }
            c.awaitAcknowledged(last);
            return last;
        });
        assertEquals(100L, healthy.get(30, TimeUnit.SECONDS), "appends to the healthy lane go on");
        try
        {
            wal.close();
        }
        catch (final WalException closing)
        {
            assertNotNull(closing.getMessage(), "close may report the failed lane");
        }
    }

    @Test
    void shouldFailTheDeferredFuturesOfACollectionWhenAnotherLaneFails() throws Exception
    {
        final Path a = dir.resolve("a");
        final Path b = dir.resolve("b");
        final WalOptions options = WalOptions.builder().walUrls(a.toString(), b.toString())
            .distributionStrategy(DistributionStrategy.RoundRobin).collectionAffinity(false).build();
        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection("c");
            c.awaitAcknowledged(c.append(entry(0)));                   // lane 0 has the collection's directory
            Files.writeString(b.resolve("c"), "not a directory");      // lane 1 fails on its first entry
            final List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 2; i <= 9; i++)
            {
                try
                {
                    futures.add(c.appendAsync(entry(i)));
                }
                catch (final WalException refused)
                {
                    break;                                             // once lane 1 has failed, appends are refused
                }
            }
            for (final CompletableFuture<Long> f : futures)
            {
                try
                {
                    final long sequence = f.get(10, TimeUnit.SECONDS);
                    assertTrue(sequence < 3, "only entries before lane 1's first may be acknowledged: " + sequence);
                }
                catch (final ExecutionException expected)
                {
                    assertTrue(expected.getCause() instanceof WalException);
                }
            }
            assertNotNull(wal.stats().lanes().get(1).failure());
        }
    }

    @Test
    void shouldFailTheLaneWhenAProducerCannotCopyAnEntryAfterTakingItsSequence()
    {
        final WalOptions options = WalOptions.builder().walUrls(dir.resolve("w").toString()).build();
        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection("c");
            c.awaitAcknowledged(c.append(entry(1)));
            final Map<String, String> flaky = new AbstractMap<>()
            {
                private int calls;

                @Override
                public Set<Map.Entry<String, String>> entrySet()
                {
                    return Map.of("k", "v").entrySet();
                }

                @Override
                public void forEach(final BiConsumer<? super String, ? super String> action)
                {
                    if (++calls == 2)
                    {
                        throw new java.util.ConcurrentModificationException(); // changed between measure and copy
                    }
                    action.accept("k", "v");
                }
            };
            assertThrows(WalException.class, () -> c.append(entry(2).metadata(flaky)));
            assertThrows(WalException.class, () -> c.awaitAcknowledged(c.append(entry(3))),
                "sequence 2 can never be written: the lane fails rather than acknowledge 3 past it");
            assertEquals(1, c.acknowledgedSequence());
        }
        try (Wal wal = Wal.open(options))
        {
            assertEquals(List.of(1L), replay(wal, "c"));
            assertEquals(2L, wal.append("c", entry(2)));
        }
        assertTrue(WalVerifier.verify(options).clean());
    }

    @Test
    void shouldNameAnUnreadableCheckpointFileAndGoOnWhenLenient() throws Exception
    {
        final Path w = dir.resolve("w");
        final WalOptions strict = WalOptions.builder().walUrls(w.toString()).build();
        try (Wal wal = Wal.open(strict))
        {
            wal.collection("c").awaitAcknowledged(wal.append("c", entry(1)));
        }
        final Path checkpoint = w.resolve("c").resolve("checkpoint");
        Files.write(checkpoint, new byte[]{(byte)0xff, (byte)0xfe, 0, 1});
        final CorruptSegmentException ex = assertThrows(CorruptSegmentException.class, () -> Wal.open(strict).close());
        assertEquals(checkpoint, ex.file());
        try (Wal wal = Wal.open(strict.toBuilder().recoveryMode(RecoveryMode.lenient).build()))
        {
            assertEquals(List.of(1L), replay(wal, "c"));
            assertTrue(wal.recoveryNotes().stream().anyMatch(n -> n.contains("checkpoint")), wal.recoveryNotes().toString());
        }
    }

    @Test
    void shouldRefuseACollectionWhoseDirectoryIsASymbolicLink() throws Exception
    {
        final Path w = Files.createDirectories(dir.resolve("w"));
        final Path elsewhere = Files.createDirectories(dir.resolve("other-disk/c"));
        Files.createSymbolicLink(w.resolve("c"), elsewhere);
        try (Wal wal = Wal.open(WalOptions.builder().walUrls(w.toString()).build()))
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> wal.collection("c"));
            assertTrue(ex.getMessage().contains("symbolic link"), ex.getMessage());
            wal.collection("d").awaitAcknowledged(wal.append("d", entry(1)));   // other collections are fine
        }
        try (java.util.stream.Stream<Path> files = Files.list(elsewhere))
        {
            assertFalse(files.findAny().isPresent(), "nothing was written through the link");
        }
    }
}
