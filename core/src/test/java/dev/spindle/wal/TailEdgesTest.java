package dev.spindle.wal;

import dev.spindle.wal.SegmentSurgery.Segment;
import dev.spindle.wal.remote.MemoryObjectStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static dev.spindle.wal.SegmentSurgery.COLLECTION;
import static dev.spindle.wal.SegmentSurgery.copyTree;
import static dev.spindle.wal.SegmentSurgery.entry;
import static dev.spindle.wal.SegmentSurgery.onlyFile;
import static dev.spindle.wal.SegmentSurgery.parse;
import static dev.spindle.wal.SegmentSurgery.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Review of the tails (dabe91e): each test pins a promise of README "Tailing and following". */
/**
 * Tails where the files change under them (found by a review of the tails, each a test that failed before the
 * fix): a file tail holding an entry read ahead from an active segment that recovery then cut, and the writer gave
 * that sequence again (in either lane); a follower beside a remote lane whose segments were sealed, uploaded and
 * deleted from staging between two looks, the bucket's listing not yet showing them; a tail in the writer's
 * process from a sequence a checkpoint freed, with nothing after it yet (it spun on the CPU, never passing the
 * freed range).
 */
class TailEdgesTest
{
    @TempDir
    Path dir;

    private static WalOptions twoLanes(final Path a, final Path b)
    {
        return SegmentSurgery.options(SyncMode.PerBatch, IoMode.pwrite, a, b)
            .collectionAffinity(false).distributionStrategy(DistributionStrategy.RoundRobin).build();
    }

    /**
     * GapRecoveryTest's crash: lane A holds 1,3,5,7,9, lane B lost 6 and after. A file tail delivers 1..5 and
     * waits for 6, holding 7 (lane A's active segment) as its cursor's head. The writer restarts: recovery cuts
     * 7 and 9, and the new writer hands out 6, 7, ... with new payloads. README: "whatever recovery cut from an
     * active segment it had not yet delivered is not delivered".
     */
    @Test
    void aFileTailNeverDeliversAnEntryThatRecoveryCutAndTheWriterGaveAgain() throws Exception
    {
        recoveryCut(false);
    }

    /** The same, with the restarted writer listing lane B first, so that RoundRobin puts the new 6 in lane B. */
    @Test
    void aFileTailNeverDeliversAnEntryThatRecoveryCutWhenTheNewSixGoesToTheOtherLane() throws Exception
    {
        recoveryCut(true);
    }

    private void recoveryCut(final boolean writerListsLaneBFirst) throws Exception
    {
        final Path liveA = dir.resolve("live-a");
        final Path liveB = dir.resolve("live-b");
        final Path laneA = dir.resolve("a");
        final Path laneB = dir.resolve("b");
        try (Wal wal = Wal.open(twoLanes(liveA, liveB)))
        {
            final WalCollection c = wal.collection(COLLECTION);
            final Entry e = new Entry();
            for (long i = 1; i <= 10; i++)
            {
                c.append(entry(e, i));
                c.awaitAcknowledged(i);
            }
            copyTree(liveA, laneA);    // what kill -9 leaves
            copyTree(liveB, laneB);
        }
        final Path fileB = onlyFile(laneB.resolve(COLLECTION), ".open");
        final Segment b = parse(fileB);
        write(fileB, Arrays.copyOf(b.bytes(), (int)b.blocks().get(2).offset()));    // lane B lost 6 and after

        final WalOptions options = twoLanes(laneA, laneB);
        final TailTest.Sink sink = new TailTest.Sink();
        try (WalTail tail = WalReader.tail(options, COLLECTION, 1, sink, Duration.ofMillis(20), Duration.ofSeconds(1)))
        {
            assertTrue(tail.awaitDelivered(5, 30, TimeUnit.SECONDS));    // 6 is missing: it waits, 7 read ahead
            try (Wal wal = Wal.open(writerListsLaneBFirst ? twoLanes(laneB, laneA) : options))    // keeps 1..5
            {
                final WalCollection c = wal.collection(COLLECTION);
                final Entry e = new Entry();
                long last = 0;
                for (int i = 0; i < 6; i++)
                {
                    final long s = c.lastSequence() + 1;
                    last = c.append(e.clear().key(("new" + s).getBytes(StandardCharsets.UTF_8))
                        .value(("new" + s).getBytes(StandardCharsets.UTF_8)));
                }
                c.awaitAcknowledged(last);
                assertEquals(11, last, "recovery kept 1..5");
                tail.awaitDelivered(11, 15, TimeUnit.SECONDS);
            }
        }
        final List<String> got = new ArrayList<>();
        for (final WalRecord r : sink.snapshot())
        {
            got.add(r.sequence() + "=" + new String(r.key(), StandardCharsets.UTF_8));
        }
        assertEquals(List.of("1=k1", "2=k2", "3=k3", "4=k4", "5=k5", "6=new6", "7=new7", "8=new8", "9=new9",
            "10=new10", "11=new11"), got);
    }

    /**
     * A follower beside a writer whose lane is remote (same staging directory, the default listing every second).
     * While the handler is busy with entry 1, the writer fills segment S0, seals it, starts S1, fills and seals
     * it, starts S2; the uploader uploads S0 and S1 and deletes their staged copies. The next look (within the
     * second) sees only S2.open in staging: the cursor jumps to S2 and never goes back once the bucket listing
     * shows S1.
     */
    @Test
    void aFollowerBesideARemoteLaneGoesOnAfterSegmentsUploadedBetweenTwoLooks() throws Exception
    {
        MemoryObjectStore.serve("tailreview");
        final WalOptions options = WalOptions.builder()
            .walUrls("mem://tailreview/wal")
            .stagingDir(dir.resolve("staging"))
            .diskSegmentSizeBytes(64 * 1024)
            .uploadRetryBaseMs(5)
            .uploadRetryMaxMs(50)
            .uploadCloseTimeoutMs(10_000)
            .build();
        final byte[] value = new byte[300];
        final CountDownLatch busy = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final TailTest.Sink sink = new TailTest.Sink();
        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection(COLLECTION);
            final Entry e = new Entry();
            for (int i = 0; i < 10; i++)
            {
                c.append(e.clear().key(("k" + (i + 1)).getBytes(StandardCharsets.UTF_8)).value(value));
            }
            c.awaitAcknowledged(10);
            try (WalTail tail = WalReader.tail(options, COLLECTION, 1, r ->
            {
                if (r.sequence() == 1)
                {
                    busy.countDown();
                    try
                    {
                        release.await(10, TimeUnit.SECONDS);
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                    }
                }
                sink.accept(r);
            }))
            {
                assertTrue(busy.await(10, TimeUnit.SECONDS));
                long last = 0;
                for (int i = 0; i < 500; i++)    // about 2.5 segments of 64 KiB
                {
                    last = c.append(e.clear().key(("k" + (c.lastSequence() + 1)).getBytes(StandardCharsets.UTF_8))
                        .value(value));
                }
                c.awaitAcknowledged(last);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (stagedSealed() > 0 && System.nanoTime() < deadline)
                {
                    Thread.sleep(5);    // uploaded, staged copies deleted
                }
                assertEquals(0, stagedSealed());
                release.countDown();
                final long target = last;
                assertTrue(tail.awaitDelivered(target, 15, TimeUnit.SECONDS),
                    () -> "delivered up to " + tail.lastDelivered() + " of " + target + ", running " +
                        tail.isRunning() + ", failure " + tail.failure());
            }
        }
    }

    private long stagedSealed() throws Exception
    {
        try (Stream<Path> walk = Files.walk(dir.resolve("staging")))
        {
            return walk.filter(p -> p.toString().endsWith(".avro")).count();
        }
    }

    /**
     * In the writer's process, a tail from 1 after a checkpoint freed every sealed segment, with no active segment
     * (the WAL was reopened, nothing appended since): next (1) is at or below the acknowledged watermark, no lane
     * holds anything, so awaitTail returns at once, the look finds nothing, and it goes round again: a busy spin
     * for as long as nothing is appended.
     */
    @Test
    void aTailInTheWritersProcessPassesWhatACheckpointFreedWhenNothingFollowsYet() throws Exception
    {
        final WalOptions options = twoLanes(dir.resolve("a"), dir.resolve("b"));
        try (Wal wal = Wal.open(options))
        {
            SegmentSurgery.appendBatch(wal.collection(COLLECTION), 1_000);
        }
        try (Wal wal = Wal.open(options))    // recovery sealed everything; no active segment until an append
        {
            final WalCollection c = wal.collection(COLLECTION);
            c.checkpoint(1_000);             // frees every sealed segment
            final TailTest.Sink sink = new TailTest.Sink();
            try (WalTail tail = wal.tail(COLLECTION, 1, sink))
            {
                assertTrue(tail.awaitDelivered(1_000, 30, TimeUnit.SECONDS),
                    () -> "it passes the freed range (it was stuck at 1, spinning): at " + tail.lastDelivered());
                SegmentSurgery.appendBatch(c, 10);
                assertTrue(tail.awaitDelivered(1_010, 30, TimeUnit.SECONDS));
            }
            assertEquals(10, sink.snapshot().size());
            assertEquals(1_001, sink.snapshot().get(0).sequence());
        }
    }
}
