package dev.spindle.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code appendAsync} racing {@code close()}: an appender that looked at the gate before close shut it could
 * publish after close had drained and halted the ring, and its future never completed. Every future must end,
 * with its sequence or with an error, once close returns. And close from an interrupted thread still closes.
 */
class CloseRaceTest
{
    private static final int ROUNDS = 60;
    private static final int PRODUCERS = 8;

    @TempDir
    Path dir;

    @Test
    void everyFutureEndsWhenCloseRacesAppends() throws Exception
    {
        for (int round = 0; round < ROUNDS; round++)
        {
            final WalOptions options = WalOptions.builder()
                .walUrls(dir.resolve("a" + round).toString(), dir.resolve("b" + round).toString())
                .collectionAffinity(false)
                .build();
            final Wal wal = Wal.open(options);
            final List<CompletableFuture<Long>> futures = java.util.Collections.synchronizedList(new ArrayList<>());
            final CountDownLatch started = new CountDownLatch(PRODUCERS);
            final List<Thread> producers = new ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++)
            {
                final Thread producer = new Thread(() ->
                {
                    final Entry e = new Entry().value(new byte[64]);
                    started.countDown();
                    while (true)
                    {
                        try
                        {
                            futures.add(wal.appendAsync("c", e));
                        }
                        catch (final WalException closed)
                        {
                            return;
                        }
                    }
                }, "producer-" + p);
                producer.start();
                producers.add(producer);
            }
            assertTrue(started.await(10, TimeUnit.SECONDS));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (futures.size() < 1_000 && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();    // close while every producer is appending
            }
            assertTrue(futures.size() >= 1_000, "the producers are appending");
            try
            {
                wal.close();
            }
            catch (final WalException ignored)
            {
                // nothing failed here; close reports a failure it finds, and this test is about the futures
            }
            for (final Thread producer : producers)
            {
                producer.join(TimeUnit.SECONDS.toMillis(30));
                assertTrue(!producer.isAlive(), producer.getName() + " stopped once the WAL closed");
            }
            int pending = 0;
            for (final CompletableFuture<Long> f : new ArrayList<>(futures))
            {
                try
                {
                    f.get(5, TimeUnit.SECONDS);
                }
                catch (final ExecutionException failed)
                {
                    assertTrue(failed.getCause() instanceof WalException, failed.toString());
                }
                catch (final TimeoutException stuck)
                {
                    pending++;
                }
            }
            assertEquals(0, pending, "round " + round + ": futures still waiting after close, of " + futures.size());
        }
    }

    /**
     * close() from an interrupted thread: its forces, truncates and renames used to throw ClosedByInterruptException
     * ("closing the WAL failed: null"), leaving the active segment unsealed.
     */
    @Test
    void closeFromAnInterruptedThreadSealsEverythingAndGivesTheInterruptBack() throws Exception
    {
        final Path lane = dir.resolve("interrupted");
        final Wal wal = Wal.open(WalOptions.builder().walUrls(lane.toString()).build());
        final WalCollection c = wal.collection("c");
        c.awaitAcknowledged(c.append(new Entry().value(new byte[64])));
        Thread.currentThread().interrupt();
        try
        {
            wal.close();
        }
        finally
        {
            assertTrue(Thread.interrupted(), "close gives the interrupt back");
        }
        assertEquals(1, WalTestSupport.sealed(lane.resolve("c")).size(), "the active segment was sealed");
        assertEquals(0, WalTestSupport.open(lane.resolve("c")).size());
    }
}
