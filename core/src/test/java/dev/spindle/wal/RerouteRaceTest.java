package dev.spindle.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * An entry that took its sequence on a lane just before the lane failed, and reached the lane's ring only after its
 * collection moved: the move gave its sequence again on the new lane, so its future must fail, not complete with
 * the sequence of another entry (a review found it completed with 43 while sequence 43 replayed another payload).
 */
class RerouteRaceTest
{
    @TempDir
    Path dir;

    /** Blocks the producer inside the slot copy (the second forEach: the first is encodedBound). */
    static final class SlowMeta extends HashMap<String, String>
    {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger calls = new AtomicInteger();

        SlowMeta()
        {
            put("k", "v");
        }

        @Override
        public void forEach(final BiConsumer<? super String, ? super String> action)
        {
            if (calls.incrementAndGet() == 2)
            {
                entered.countDown();
                try
                {
                    release.await();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
            super.forEach(action);
        }
    }

    private static Entry entry(final String value)
    {
        return new Entry().op(Op.INSERT).value(value.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anEntryLeftInTheFailedLanesRingFailsAfterTheMove() throws Exception
    {
        final WalOptions options = WalOptions.builder().walUrls(dir.resolve("a").toString(),
            dir.resolve("b").toString()).collectionAffinity(true).syncMode(SyncMode.PerBatch)
            .diskSegmentSizeBytes(64 * 1024).segmentMaxAgeMs(600_000).build();
        try (Wal wal = Wal.open(options))
        {
            wal.appendAsync("c", entry("first")).get(10, TimeUnit.SECONDS);
            final Path dead = Files.isDirectory(dir.resolve("a").resolve("c")) ? dir.resolve("a") : dir.resolve("b");
            for (int i = 0; i < 40; i++)
            {
                wal.appendAsync("c", entry("x".repeat(1000))).get(10, TimeUnit.SECONDS);
            }
            Files.move(dead.resolve("c"), dead.resolve(".saved"));
            Files.writeString(dead.resolve("c"), "not a directory");

            final SlowMeta metaE = new SlowMeta();
            final SlowMeta metaP = new SlowMeta();
            final AtomicReference<CompletableFuture<Long>> futureE = new AtomicReference<>();
            final AtomicReference<CompletableFuture<Long>> futureP = new AtomicReference<>();
            // E: does not fit the active segment: its write seals, which fails (the directory is a file)
            final Thread e = new Thread(() -> futureE.set(wal.appendAsync("c",
                entry("E".repeat(30_000)).metadata(metaE))));
            e.start();
            assertTrue(metaE.entered.await(10, TimeUnit.SECONDS));
            final Thread p = new Thread(() -> futureP.set(wal.appendAsync("c", entry("P1-payload").metadata(metaP))));
            p.start();
            assertTrue(metaP.entered.await(10, TimeUnit.SECONDS), "P1 holds its sequence, copying into the slot");
            metaE.release.countDown();
            e.join();
            try
            {
                futureE.get().get(10, TimeUnit.SECONDS);
                fail("E should fail");
            }
            catch (final ExecutionException expected)
            {
                // the lane failed writing E
            }
            // the collection moves: P2 and P3 take sequences 32 and 33 on the other lane
            final long s2 = wal.appendAsync("c", entry("P2-payload")).get(10, TimeUnit.SECONDS);
            final long s3 = wal.appendAsync("c", entry("P3-payload")).get(10, TimeUnit.SECONDS);
            metaP.release.countDown();
            p.join();
            Long pSeq = null;
            Throwable pErr = null;
            try
            {
                pSeq = futureP.get().get(10, TimeUnit.SECONDS);
            }
            catch (final ExecutionException ex)
            {
                pErr = ex.getCause();
            }
            Files.delete(dead.resolve("c"));
            Files.move(dead.resolve(".saved"), dead.resolve("c"));
            final List<String> values = new ArrayList<>();
            final List<Long> seqs = new ArrayList<>();
            try (WalReplay r = wal.replay("c", 1))
            {
                r.forEachRemaining(rec -> {
                    seqs.add(rec.sequence());
                    values.add(new String(rec.value(), StandardCharsets.UTF_8));
                });
            }
            assertEquals(null, pSeq, "P1 was never written: its sequence went to P2 or P3");
            assertTrue(pErr instanceof WalException, String.valueOf(pErr));
            for (int i = 0; i < seqs.size(); i++)
            {
                assertEquals(i + 1, seqs.get(i), "no gap, no duplicate");
            }
            assertEquals(List.of("P2-payload", "P3-payload"), values.subList(values.size() - 2, values.size()));
            assertEquals(s3, seqs.get(seqs.size() - 1));
            assertEquals(s2 + 1, s3);
        }
    }
}
