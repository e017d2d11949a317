package dev.spindle.wal.remote;

import dev.spindle.fs.Directories;
import dev.spindle.wal.AckMode;
import dev.spindle.wal.DistributionStrategy;
import dev.spindle.wal.Entry;
import dev.spindle.wal.Wal;
import dev.spindle.wal.WalCollection;
import dev.spindle.wal.WalException;
import dev.spindle.wal.WalReader;
import dev.spindle.wal.WalRecord;
import dev.spindle.wal.WalReplay;
import dev.spindle.wal.WalStats;
import dev.spindle.wal.WalVerifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicLong;

import static dev.spindle.wal.remote.RemoteTestSupport.URL;
import static dev.spindle.wal.remote.RemoteTestSupport.appendN;
import static dev.spindle.wal.remote.RemoteTestSupport.stagedSegments;
import static dev.spindle.wal.WalTestSupport.eventually;
import static dev.spindle.wal.remote.RemoteTestSupport.options;
import static dev.spindle.wal.remote.RemoteTestSupport.replay;
import static dev.spindle.wal.remote.RemoteTestSupport.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The uploader's logic against {@link MemoryObjectStore}, a test double of the filesystem SPI: staging,
 * verified uploads, the remote-durable watermark, {@code ack = "remote"}, retries, back-pressure, restart with
 * sealed-not-uploaded segments, replay with the staging directory deleted, and remote checkpoints.
 */
class RemoteLaneTest
{
    @TempDir
    Path dir;

    private MemoryObjectStore store;

    @BeforeEach
    @AfterEach
    void reset()
    {
        store = MemoryObjectStore.serve(RemoteTestSupport.BUCKET);
    }


    private static void assertComplete(final String collection, final List<WalRecord> records, final long n)
    {
        assertEquals(n, records.size(), collection + ": entries replayed");
        for (int i = 0; i < records.size(); i++)
        {
            assertEquals(i + 1, records.get(i).sequence());
            assertArrayEquals(value(collection, i + 1), records.get(i).value(), "payload of " + (i + 1));
        }
    }

    private void deleteStaging() throws IOException
    {
        Directories.deleteTree(dir.resolve("staging"));
        assertFalse(Files.exists(dir.resolve("staging")));
    }

    private List<String> segmentKeys()
    {
        final List<String> keys = new ArrayList<>();
        for (final String k : store.objects.keySet())
        {
            if (k.endsWith(".avro"))
            {
                keys.add(k);
            }
        }
        return keys;
    }

    /**
     * An interrupt of the thread that closes, while close waits for uploads, does not cut the wait short: before,
     * close returned at once, shut the uploaders down and left the sealed segments in staging, saying nothing.
     */
    @Test
    void shouldKeepDrainingUploadsAtCloseWhenTheClosingThreadIsInterrupted() throws Exception
    {
        final Wal wal = Wal.open(options(dir).uploadCloseTimeoutMs(30_000).uploadRetryBaseMs(10)
            .uploadRetryMaxMs(50).build());
        store.down = true;   // after the open: it claims a writer epoch in the store
        final WalCollection c = wal.collection("c");
        c.awaitDurable(appendN(c, 500));
        final Thread closing = Thread.currentThread();
        final Thread storeBack = new Thread(() ->
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!isInside(closing, "drain") && System.nanoTime() < deadline)    // close waits for uploads
            {
                Thread.onSpinWait();
            }
            closing.interrupt();    // while close waits for the uploads
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300));    // the drain goes on past the interrupt
            store.down = false;
        });
        storeBack.start();
        try
        {
            wal.close();
        }
        finally
        {
            assertTrue(Thread.interrupted(), "close gives the interrupt back");
            storeBack.join(10_000);
        }
        assertFalse(segmentKeys().isEmpty(), "the segments sealed at close were uploaded");
        assertEquals(List.of(), stagedSegments(dir), "and nothing is left in staging");
    }

    @Test
    void shouldUploadSealedSegmentsAndReplayWithTheStagingDirectoryDeleted() throws Exception
    {
        final int n = 3000;
        try (Wal wal = Wal.open(options(dir).build()))
        {
            final WalCollection c = wal.collection("c");
            final long last = appendN(c, n);
            c.awaitDurable(last);
            assertTrue(c.remoteDurableSequence() < last, "the active segment is not uploaded yet");
        }
        assertTrue(segmentKeys().size() > 5, "several segments uploaded: " + segmentKeys());
        for (final String key : segmentKeys())
        {
            assertTrue(key.startsWith("bucket/wal/c/"), key);
            assertEquals(1, store.creates.get(key).get(), key + " created once");
        }
        assertEquals(List.of(), stagedSegments(dir), "staged copies deleted");
        deleteStaging();
        try (Wal wal = Wal.open(options(dir).build()))
        {
            final WalCollection c = wal.collection("c");
            assertEquals(n, c.lastSequence(), "sequences continue after the remote segments");
            assertComplete("c", replay(c), n);
            assertEquals(n + 1, appendN(c, 1));
        }
        try (WalReader reader = WalReader.open(options(dir).build()))
        {
            assertEquals(n + 1, reader.lastSequence("c"));
            long count = 0;
            try (WalReplay r = reader.replay("c", 1))
            {
                while (r.hasNext())
                {
                    assertEquals(++count, r.next().sequence());
                }
            }
            assertEquals(n + 1, count);
        }
        final WalVerifier.Report report = WalVerifier.verify(options(dir).build());
        assertTrue(report.clean(), report.findings().toString());
    }

    @Test
    void shouldAcknowledgeOnlyOnceUploadedWithAckRemote() throws Exception
    {
        try (Wal wal = Wal.open(options(dir).ack(AckMode.remote).segmentMaxAgeMs(50).build()))
        {
            final WalCollection c = wal.collection("c");
            store.down = true;
            final CompletableFuture<Long> future = c.appendAsync(new Entry().value(value("c", 1)));
            c.awaitDurable(1);
            eventually(20_000, "three uploads failed", () -> store.failedPuts.get() >= 3);
            assertFalse(future.isDone(), "durable in staging but not in object storage: not acknowledged");
            assertEquals(0, c.remoteDurableSequence());
            assertEquals(0, c.acknowledgedSequence());
            store.down = false;
            assertEquals(1L, future.get(10, TimeUnit.SECONDS));
            assertEquals(1, c.remoteDurableSequence());
            final WalStats.UploadStats upload = wal.stats().lanes().get(0).upload();
            assertTrue(upload.failedAttempts() >= 3, upload.toString());
            assertEquals(1, upload.uploadedSegments());
        }
    }

    @Test
    void shouldRetryFailedUploadsUntilTheyComplete() throws Exception
    {
        try (Wal wal = Wal.open(options(dir).build()))
        {
            store.failNextPuts.set(20);   // after the open: it claims a writer epoch in the store
            final WalCollection c = wal.collection("c");
            final long last = appendN(c, 1000);
            c.awaitDurable(last);
        }
        assertEquals(0, store.failNextPuts.get());
        deleteStaging();
        try (Wal wal = Wal.open(options(dir).build()))
        {
            assertComplete("c", replay(wal.collection("c")), 1000);
        }
    }

    /** @return whether {@code thread} is inside a method named {@code method} (of Spindle's). */
    private static boolean isInside(final Thread thread, final String method)
    {
        for (final StackTraceElement frame : thread.getStackTrace())
        {
            if (frame.getMethodName().equals(method) && frame.getClassName().startsWith("dev.spindle."))
            {
                return true;
            }
        }
        return false;
    }

    /** @return whether {@code thread} is inside the append path's wait for uploads (back-pressure). */
    private static boolean waitsForUploads(final Thread thread)
    {
        return isInside(thread, "awaitUploads");
    }

    @Test
    void shouldBackPressureAppendersWhenUploadsFallBehind() throws Exception
    {
        final AtomicLong appended = new AtomicLong();
        try (Wal wal = Wal.open(options(dir).uploadQueueBytes(200 * 1024).build()))
        {
            store.down = true;   // after the open: it claims a writer epoch in the store
            final WalCollection c = wal.collection("c");
            final Thread producer = new Thread(() -> {
                final Entry e = new Entry();
                for (int i = 1; i <= 50_000; i++)
                {
                    c.append(e.clear().value(value("c", i)));
                    appended.incrementAndGet();
                }
            });
            producer.start();
            // the staged bytes pass the limit; then the appender waits in the back-pressure loop
            eventually(20_000, "the staged bytes pass upload_queue_bytes",
                () -> wal.stats().lanes().get(0).upload().pendingBytes() >= 200 * 1024);
            eventually(20_000, "the producer waits for uploads", () -> waitsForUploads(producer));
            assertTrue(appended.get() < 50_000, "the producer cannot finish while the store is down");
            assertTrue(wal.stats().lanes().get(0).upload().pendingBytes() >= 200 * 1024);
            store.down = false;
            producer.join(30_000);
            assertEquals(50_000, appended.get());
            c.awaitDurable(50_000);
        }
        deleteStaging();
        try (Wal wal = Wal.open(options(dir).build()))
        {
            assertComplete("c", replay(wal.collection("c")), 50_000);
        }
    }

    @Test
    void shouldUploadSegmentsLeftInStagingExactlyOnceAtTheNextOpen() throws Exception
    {
        try (Wal wal = Wal.open(options(dir).uploadCloseTimeoutMs(100).build()))
        {
            store.down = true;   // after the open: it claims a writer epoch in the store
            final WalCollection c = wal.collection("c");
            c.awaitDurable(appendN(c, 2000));
        }
        assertEquals(List.of(), segmentKeys(), "nothing reached the store");
        store.down = false;
        try (Wal wal = Wal.open(options(dir).build()))
        {
            final WalCollection c = wal.collection("c");
            c.awaitRemoteDurable(2000, 10, TimeUnit.SECONDS);
            assertEquals(2000, c.remoteDurableSequence());
        }
        // a crash after an upload but before its staged copy was deleted: the copy is found again
        final String someKey = segmentKeys().get(0);
        final Path staged = Files.list(dir.resolve("staging")).filter(Files::isDirectory).findFirst().orElseThrow()
            .resolve("c").resolve(someKey.substring(someKey.lastIndexOf('/') + 1));
        Files.write(staged, store.objects.get(someKey));
        try (Wal wal = Wal.open(options(dir).build()))
        {
            assertComplete("c", replay(wal.collection("c")), 2000);
        }
        assertFalse(Files.exists(staged), "the leftover staged copy of an uploaded segment is deleted");
        for (final String key : segmentKeys())
        {
            assertEquals(1, store.creates.get(key).get(), key + " uploaded exactly once");
        }
    }

    @Test
    void shouldFailTheLaneRatherThanTakeADifferentObjectOfTheSameSizeForItsSegment() throws Exception
    {
        try (Wal wal = Wal.open(options(dir).uploadCloseTimeoutMs(100).build()))
        {
            store.down = true;   // after the open: it claims a writer epoch in the store
            final WalCollection c = wal.collection("c");
            c.awaitDurable(appendN(c, 500));
        }
        final List<Path> staged = stagedSegments(dir);
        assertFalse(staged.isEmpty());
        for (final Path p : staged)
        {
            // another writer's object under the same name and of the same size
            store.objects.put("bucket/wal/c/" + p.getFileName(), new byte[(int)Files.size(p)]);
        }
        store.down = false;
        try (Wal wal = Wal.open(options(dir).uploadCloseTimeoutMs(100).build()))
        {
            final WalCollection c = wal.collection("c");
            eventually(20_000, "the lane fails", () -> wal.stats().lanes().get(0).failure() != null);
            assertTrue(wal.stats().lanes().get(0).failure().contains("different object"),
                String.valueOf(wal.stats().lanes().get(0).failure()));
            assertThrows(WalException.class, () -> appendN(c, 1), "appenders get an error, not a wait");
            assertEquals(0, c.remoteDurableSequence());
        }
        catch (final WalException closing)
        {
            // closing a failed lane reports the failure
        }
        for (final Path p : staged)
        {
            assertTrue(Files.exists(p), p + " is kept: nothing acknowledged is given up");
        }
    }

    @Test
    void shouldDeleteRemoteSegmentsBelowACheckpoint() throws Exception
    {
        try (Wal wal = Wal.open(options(dir).build()))
        {
            final WalCollection c = wal.collection("c");
            c.awaitDurable(appendN(c, 3000));
        }
        final int before = segmentKeys().size();
        try (Wal wal = Wal.open(options(dir).build()))
        {
            final WalCollection c = wal.collection("c");
            c.checkpoint(2000);
            for (final String key : segmentKeys())
            {
                final String name = key.substring(key.lastIndexOf('/') + 1);
                assertTrue(Long.parseLong(name.substring(21, 41)) > 2000, "left " + key);
            }
            assertTrue(segmentKeys().size() < before);
            assertTrue(store.objects.containsKey("bucket/wal/c/00000000000000002000.checkpoint"));
        }
        deleteStaging();
        try (Wal wal = Wal.open(options(dir).build()))
        {
            final WalCollection c = wal.collection("c");
            assertEquals(2000, c.checkpointSequence(), "the checkpoint is known from object storage");
            final List<WalRecord> records = replay(c);
            assertTrue(records.get(0).sequence() <= 2001);
            assertEquals(3000, records.get(records.size() - 1).sequence());
        }
    }

    @ParameterizedTest
    @EnumSource(DistributionStrategy.class)
    void shouldMixLocalAndRemoteLanesWithoutAffinity(final DistributionStrategy strategy) throws Exception
    {
        final String[] urls = {dir.resolve("disk1").toString(), dir.resolve("disk2").toString(), URL};
        try (Wal wal = Wal.open(options(dir, urls).distributionStrategy(strategy).collectionAffinity(false).build()))
        {
            for (final String name : List.of("a", "b", "c"))
            {
                final WalCollection c = wal.collection(name);
                c.awaitDurable(appendN(c, 1500));
            }
        }
        deleteStaging();
        try (Wal wal = Wal.open(options(dir, urls).distributionStrategy(strategy).collectionAffinity(false).build()))
        {
            for (final String name : List.of("a", "b", "c"))
            {
                assertComplete(name, replay(wal.collection(name)), 1500);
            }
        }
    }

    @Test
    void shouldKeepACollectionOnItsRemoteLaneWithAffinity() throws Exception
    {
        final String[] urls = {dir.resolve("disk1").toString(), URL};
        try (Wal wal = Wal.open(options(dir, urls).distributionStrategy(DistributionStrategy.Hash).build()))
        {
            for (int i = 0; i < 8; i++)
            {
                final WalCollection c = wal.collection("col" + i);
                c.awaitDurable(appendN(c, 300));
            }
        }
        deleteStaging();
        try (Wal wal = Wal.open(options(dir, urls).distributionStrategy(DistributionStrategy.Hash).build()))
        {
            for (int i = 0; i < 8; i++)
            {
                final WalCollection c = wal.collection("col" + i);
                assertComplete(c.name(), replay(c), 300);
                c.awaitDurable(appendN(c, 10));
            }
            final WalStats stats = wal.stats();
            for (final WalStats.LaneStats lane : stats.lanes())
            {
                for (final WalStats.CollectionStats cs : lane.collections())
                {
                    for (final WalStats.LaneStats other : stats.lanes())
                    {
                        if (other != lane)
                        {
                            assertTrue(other.collections().stream().noneMatch(o -> o.collection().equals(cs.collection())),
                                cs.collection() + " stays on one lane across the restart");
                        }
                    }
                }
            }
        }
    }

    @Test
    void shouldIgnoreForeignObjectsInTheListing() throws Exception
    {
        store.objects.put("bucket/wal/c/readme.txt", new byte[3]);
        store.objects.put("bucket/wal/-bad/00000000000000000001-00000000000000000002.avro", new byte[3]);
        store.objects.put("bucket/wal/a/b/00000000000000000001-00000000000000000002.avro", new byte[3]);
        try (Wal wal = Wal.open(options(dir).build()))
        {
            assertEquals(0, wal.collection("c").lastSequence());
            assertTrue(wal.recoveryNotes().stream().anyMatch(n -> n.contains("readme.txt")), wal.recoveryNotes().toString());
            assertEquals(3, wal.recoveryNotes().stream().filter(n -> n.contains("ignored the object")).count());
        }
    }

    @Test
    void shouldNameTheMissingModuleAndRefusedSettings()
    {
        final WalException missing = assertThrows(WalException.class,
            () -> Wal.open(options(dir, "gcs://bucket/wal").build()));
        assertTrue(missing.getMessage().contains("spindle-fs-gcs"), missing.getMessage());
        final WalException refused = assertThrows(WalException.class,
            () -> Wal.open(options(dir).backendSettings("mem", Map.of("refuse", "1")).build()));
        assertTrue(refused.getMessage().contains("wal_urls[0]") && refused.getMessage().contains("refuse"),
            refused.getMessage());
    }

    @Test
    void shouldOverlayPerBucketSettings() throws Exception
    {
        try (Wal wal = Wal.open(options(dir).backendSettings("mem", Map.of("region", "us-west-2", "x", "1"))
            .backendSettings("mem/bucket", Map.of("region", "eu-central-1")).build()))
        {
            assertEquals(Map.of("region", "eu-central-1", "x", "1"), store.lastSettings);
        }
    }

    /** URLs are logged, shown by stats and tag metrics: one that carries a password or a query is refused, quietly. */
    @Test
    void shouldRefuseAUrlWithAPasswordOrAQueryWithoutQuotingIt()
    {
        for (final String url : List.of("mem://key:s3cr3t@bucket/wal", "mem://bucket/wal?sig=s3cr3t",
            "mem://bucket/wal#s3cr3t"))
        {
            final WalException ex = assertThrows(WalException.class, () -> Wal.open(options(dir, url).build()));
            assertTrue(ex.getMessage().contains("wal_urls[0]") && !ex.getMessage().contains("s3cr3t"),
                ex.getMessage());
        }
    }

    @Test
    void shouldRefuseRemoteLanesSharingAPrefix()
    {
        final WalException ex = assertThrows(WalException.class,
            () -> Wal.open(options(dir, "mem://bucket/wal", "mem://bucket/wal/inner").build()));
        assertTrue(ex.getMessage().contains("share or nest"), ex.getMessage());
    }
}
