package dev.spindle.wal.remote;

import dev.spindle.wal.AckMode;
import dev.spindle.wal.DistributionStrategy;
import dev.spindle.wal.Entry;
import dev.spindle.wal.Op;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.Wal;
import dev.spindle.wal.WalCollection;
import dev.spindle.wal.WalException;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.WalReader;
import dev.spindle.wal.WalReplay;
import dev.spindle.wal.WalTail;
import dev.spindle.wal.internal.remote.LaneUrls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.spindle.wal.remote.RemoteTestSupport.BUCKET;
import static dev.spindle.wal.remote.RemoteTestSupport.staging;
import static dev.spindle.wal.remote.RemoteTestSupport.deleteTree;
import static dev.spindle.wal.remote.RemoteTestSupport.filesEndingWith;
import static dev.spindle.wal.remote.RemoteTestSupport.stagingBack;
import static dev.spindle.wal.remote.RemoteTestSupport.stagingFails;
import static dev.spindle.wal.remote.RemoteTestSupport.entry;
import static dev.spindle.wal.remote.RemoteTestSupport.URL;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The move of a remote lane's collection where it can go wrong (found by a review of the move, each a test that
 * failed before): another writer taking the prefix over after the move, or before it; a move attempt whose record
 * was written but whose directory fsync failed, retried into another lane (two records of one move); a tail that
 * ignored move records in the bucket; and, under ack = "remote", the acknowledged watermark after an open starting
 * below the checkpoint; and (a second review) a move the fence re-check refuses takes its {@code .left} record
 * back, and a move recorded in two lanes goes to the lane holding the writer's entries from the move on, also when
 * a checkpoint freed the segment that started there.
 */
class RemoteMoveEdgesTest
{
    private static final String OTHER = "other";

    @TempDir
    Path dir;

    private MemoryObjectStore store;
    private MemoryObjectStore other;

    @BeforeEach
    @AfterEach
    void reset()
    {
        store = MemoryObjectStore.serve(BUCKET);
        other = MemoryObjectStore.serve(OTHER);
    }

    /**
     * Appends until lane 0 failed and {@code after} more entries were acknowledged on the new lane; every
     * acknowledged value is put under its sequence (a sequence given again after the move replaces a void one).
     */
    private static void appendThroughMove(final Wal wal, final WalCollection c, final int after,
        final TreeMap<Long, String> acked) throws Exception
    {
        int failures = 0;
        boolean failed = false;
        for (int i = 0, moved = 0; moved < after; i++)
        {
            assertTrue(i < 4_000, "the lane never failed, or the collection never moved");
            failed = failed || wal.stats().lanes().get(0).failure() != null;
            final String value = (failed ? "new-" : "old-") + i + "-" + "x".repeat(1_000);
            try
            {
                acked.put(c.appendAsync(entry(value)).get(10, TimeUnit.SECONDS), value);
                moved += failed ? 1 : 0;
            }
            catch (final ExecutionException | WalException ex)
            {
                assertTrue(++failures <= 2, "appends keep failing: " + ex);
            }
        }
    }

    private static void appendAcknowledged(final WalCollection c, final String prefix, final int n,
        final TreeMap<Long, String> acked) throws Exception
    {
        for (int i = 0; i < n; i++)
        {
            final String value = prefix + "-" + i + "-" + "x".repeat(1_000);
            acked.put(c.appendAsync(entry(value)).get(10, TimeUnit.SECONDS), value);
        }
    }

    /**
     * Finding 1, after the move. The staging of remote lane 0 fails; the collection moves to the local lane (the
     * fence listing said: not fenced), and the move put "c left at S" into the bucket. Then writer b takes the
     * prefix over with only the bucket: it must not go on with c there (a acknowledges c from S on in its local
     * lane; b would give those sequences again), so its open stops and names the record; a goes on.
     */
    @Test
    void aWriterTakingThePrefixOverAfterAMoveStopsInsteadOfGoingOnWithTheCollection() throws Exception
    {
        final Path local = dir.resolve("local");
        final TreeMap<Long, String> acked = new TreeMap<>();
        try (Wal a = Wal.open(RemoteTestSupport.options(dir, URL, local.toString()).collectionAffinity(true)
            .distributionStrategy(DistributionStrategy.RoundRobin).uploadCloseTimeoutMs(500).build()))
        {
            final WalCollection c = a.collection("c");
            appendAcknowledged(c, "a", 300, acked);
            assertTrue(c.awaitRemoteDurable(150, 30, TimeUnit.SECONDS));
            stagingFails(staging(dir, URL), "c");
            appendThroughMove(a, c, 10, acked);
            assertEquals(1, filesEndingWith(local.resolve("c"), ".moved").size(), "moved to the local lane");
            assertEquals(1, store.objects.keySet().stream().filter(k -> k.endsWith(".left")).count(),
                "the bucket says c left it");
            final WalException refused = assertThrows(WalException.class,
                () -> Wal.open(RemoteTestSupport.options(dir.resolve("b"), URL).build()).close());
            assertTrue(refused.getMessage().contains("left") && refused.getMessage().contains("c/"),
                refused.getMessage());
            appendAcknowledged(c, "a-after", 10, acked);    // a alone goes on with c
        }
    }

    /**
     * Finding 1, before the move: writer b took the prefix over while a's staging was failing; a's move is refused
     * (a fenced writer goes on nowhere), and its appends of c fail naming the fence.
     */
    @Test
    void aFencedWritersCollectionDoesNotMove() throws Exception
    {
        final Path local = dir.resolve("local");
        final TreeMap<Long, String> acked = new TreeMap<>();
        try (Wal a = Wal.open(RemoteTestSupport.options(dir, URL, local.toString()).collectionAffinity(true)
            .distributionStrategy(DistributionStrategy.RoundRobin).uploadCloseTimeoutMs(500).build()))
        {
            final WalCollection c = a.collection("c");
            appendAcknowledged(c, "a", 50, acked);
            try (Wal b = Wal.open(RemoteTestSupport.options(dir.resolve("b"), URL).build()))
            {
                stagingFails(staging(dir, URL), "c");
                final List<Exception> refused = new ArrayList<>();
                for (int i = 0; i < 4_000 && refused.size() < 5; i++)    // until the lane fails and a move is tried
                {
                    try
                    {
                        c.appendAsync(entry("a-late-" + i + "-" + "x".repeat(1_000))).get(10, TimeUnit.SECONDS);
                    }
                    catch (final ExecutionException | WalException ex)
                    {
                        refused.add(ex);
                    }
                }
                assertEquals(5, refused.size(), "the lane failed");
                final String last = refused.get(refused.size() - 1).toString();
                assertTrue(last.contains("fenced") && last.contains("not moved"), last);
                assertEquals(0, filesEndingWith(local.resolve("c"), ".moved").size(), "never moved");
            }
        }
    }

    /**
     * Finding 2 (the helper's doubt, state built by hand). A move's record was renamed into lane 2 but the directory
     * fsync failed, so the move threw; the next append moved the collection again, to lane 1 (RoundRobin,
     * LoadBalanced pick anew). Both records have the same S and W. MoveRules keeps the last lane added, so lane 2
     * (which holds nothing) owns W's entries from S on, and lane 1's acknowledged entries are void.
     */
    @Test
    void twoRecordsWithTheSameSequenceMustNotVoidTheLaneThatTookTheEntries() throws Exception
    {
        final Path l0 = dir.resolve("l0");
        final Path l1 = dir.resolve("l1");
        final Path l2 = dir.resolve("l2");
        final WalOptions options = RemoteTestSupport.options(dir, l0.toString(), l1.toString(), l2.toString())
            .collectionAffinity(true).distributionStrategy(DistributionStrategy.RoundRobin).build();
        final TreeMap<Long, String> acked = new TreeMap<>();
        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection("c");    // RoundRobin: lane 0
            appendAcknowledged(c, "before", 150, acked);
            stagingFails(l0, "c");
            appendThroughMove(wal, c, 100, acked);          // the move's pick: lane 1
        }
        final List<Path> records = filesEndingWith(l1.resolve("c"), ".moved");
        assertEquals(1, records.size());
        Files.createDirectories(l2.resolve("c"));
        Files.copy(records.get(0), l2.resolve("c").resolve(records.get(0).getFileName()));    // the first attempt
        stagingBack(l0, "c");
        try (Wal wal = Wal.open(options))
        {
            final List<String> values = new ArrayList<>();
            try (WalReplay r = wal.collection("c").replay(1))
            {
                r.forEachRemaining(rec -> values.add(new String(rec.value(), StandardCharsets.UTF_8)));
            }
            assertEquals(acked.size(), values.size(), "every acknowledged entry, once, in order; notes: " +
                wal.recoveryNotes());
            assertEquals(new ArrayList<>(acked.values()), values);
        }
    }

    /**
     * Finding 3. WalReader.tail (FileSource) takes segments and checkpoints from a bucket listing but not its move
     * records (22d3710 added RemoteListing.moves; the tail, merged beside it, never reads them). With the new
     * lane's staging gone and the failed lane's staging back holding copies from the move on (sync_mode = Never:
     * a full segment being forced in the background when the staging failed; its entries were acknowledged when
     * written and are void after the move), WalReader.replay applies the record from the bucket, the tail does not.
     */
    @Test
    void theTailMustApplyMoveRecordsFromTheBucket() throws Exception
    {
        final String target = "mem://" + OTHER + "/wal";
        final WalOptions used = RemoteTestSupport.options(dir, URL, target).collectionAffinity(true)
            .distributionStrategy(DistributionStrategy.RoundRobin).syncMode(SyncMode.Never).build();
        final TreeMap<Long, String> acked = new TreeMap<>();
        try (Wal wal = Wal.open(used))
        {
            final WalCollection c = wal.collection("c");
            appendAcknowledged(c, "before", 200, acked);
            stagingFails(staging(dir, URL), "c");
            appendThroughMove(wal, c, 100, acked);
        }
        stagingBack(staging(dir, URL), "c");
        deleteTree(staging(dir, target));    // the new lane's staging, with the record, is gone; the bucket has it
        assertEquals(1, other.objects.keySet().stream().filter(k -> k.endsWith(".moved")).count());
        // under Never an entry is acknowledged when written and durable when its segment is forced: the move
        // resumes after what the failed lane made durable, so the acknowledged values of sequences from there on
        // were given again (the mode's stated risk). What must replay, and be tailed, is the failed lane's entries
        // below the move and the new lane's after it: the last 100 acknowledged, in order, end the replay.
        final List<String> replayed = new ArrayList<>();
        try (WalReader reader = WalReader.open(used); WalReplay r = reader.replay("c", 1))
        {
            r.forEachRemaining(rec -> replayed.add(new String(rec.value(), StandardCharsets.UTF_8)));
        }
        final TreeMap<Long, String> afterMove = new TreeMap<>();
        acked.forEach((sequence, value) ->
        {
            if (value.startsWith("new-"))
            {
                afterMove.put(sequence, value);
            }
        });
        assertEquals(100, afterMove.size());
        assertTrue(replayed.size() >= 100 && replayed.subList(replayed.size() - 100, replayed.size())
            .equals(new ArrayList<>(afterMove.values())), "WalReader.replay applies the record from the bucket: the " +
            "failed lane's copies from the move on are void");
        assertEquals(afterMove.lastKey().intValue(), replayed.size(), "no gap, no duplicate");
        final List<String> expected = replayed;

        final List<String> tailed = Collections.synchronizedList(new ArrayList<>());
        try (WalTail tail = WalReader.tail(used, "c", 1,
            rec -> tailed.add(new String(rec.value(), StandardCharsets.UTF_8)), Duration.ofMillis(20),
            Duration.ofMillis(50)))
        {
            tail.awaitDelivered(afterMove.lastKey(), 20, TimeUnit.SECONDS);
            assertNull(tail.failure());
        }
        int firstWrong = 0;
        while (firstWrong < Math.min(expected.size(), tailed.size()) &&
            expected.get(firstWrong).equals(tailed.get(firstWrong)))
        {
            firstWrong++;
        }
        assertTrue(tailed.equals(expected), "the tail delivers what replay does; first difference at sequence " +
            (firstWrong + 1) + ": " + (firstWrong < tailed.size() ? tailed.get(firstWrong).substring(0, 12) : "-") +
            " instead of " + (firstWrong < expected.size() ? expected.get(firstWrong).substring(0, 12) : "-"));
    }

    /**
     * Finding 4 (the helper's doubt). ack = "remote": 10 entries acknowledged (uploaded), checkpointed at 10 (the
     * segments deleted in the bucket), two more staged and never uploaded. At the next open the acknowledged
     * watermark starts from the lane's uploaded prefix of sealed segments, which no longer holds anything at or
     * below the checkpoint: 0, until the staged segment is uploaded.
     */
    @Test
    void theRemoteAcknowledgedWatermarkAfterAnOpenIsNotBelowTheCheckpoint() throws Exception
    {
        final WalOptions options = RemoteTestSupport.options(dir).ack(AckMode.remote).segmentMaxAgeMs(20)
            .uploadCloseTimeoutMs(300).build();
        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection("c");
            for (int i = 0; i < 10; i++)
            {
                c.append(entry("v" + i));
            }
            assertTrue(c.awaitAcknowledged(10, 10, TimeUnit.SECONDS));
            c.checkpoint(10);
            assertEquals(10, c.acknowledgedSequence());
            store.down = true;
            c.appendAsync(entry("staged-1"));
            c.appendAsync(entry("staged-2"));
            assertTrue(c.awaitDurable(12, 10, TimeUnit.SECONDS), "both staged, fsync'd, not uploaded");
        }
        store.down = false;
        final java.util.concurrent.CountDownLatch uploaded = new java.util.concurrent.CountDownLatch(1);
        store.afterCreate = key -> {
            if (key.endsWith(".avro"))
            {
                try
                {
                    // the staged segment's upload is held until the watermark was read (30 s at most)
                    uploaded.await(30, TimeUnit.SECONDS);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection("c");
            assertTrue(c.acknowledgedSequence() >= 10, "acknowledged before the restart: 10 (checkpointed); " +
                "after it: " + c.acknowledgedSequence());
            uploaded.countDown();       // before the close, which waits for the upload
        }
        finally
        {
            uploaded.countDown();
        }
    }

    /**
     * Writer b takes the prefix over between a's mayLeave fence check and its put of ".left" (simulated: when the
     * ".left" object lands, it is held back while b opens and closes, then put back). a's re-check sees the fence
     * and the move is refused, as designed: a acknowledged nothing in its local lane. But the ".left" object stays,
     * so b, the legitimate writer, can no longer open: checkLeft finds ".left" with no ".moved" in b's lanes.
     */
    @Test
    void aMoveRefusedByTheFenceReCheckLeavesNoLeftRecordThatStopsTheNewWriter() throws Exception
    {
        final Path local = dir.resolve("local");
        final WalOptions bOptions = RemoteTestSupport.options(dir.resolve("b"), URL).build();
        store.afterCreate = key -> {
            if (key.endsWith(".left"))
            {
                final byte[] left = store.objects.remove(key);
                Wal.open(bOptions).close();    // b takes the prefix over just before the record lands
                store.objects.put(key, left);
                store.afterCreate = k -> { };
            }
        };
        try (Wal a = Wal.open(RemoteTestSupport.options(dir, URL, local.toString()).collectionAffinity(true)
            .distributionStrategy(DistributionStrategy.RoundRobin).uploadCloseTimeoutMs(500).build()))
        {
            final WalCollection c = a.collection("c");
            for (int i = 0; i < 50; i++)
            {
                c.appendAsync(entry("a-" + i + "-" + "x".repeat(1_000))).get(10, TimeUnit.SECONDS);
            }
            stagingFails(staging(dir, URL), "c");
            final List<Exception> refused = new ArrayList<>();
            for (int i = 0; i < 4_000 && refused.size() < 5; i++)
            {
                try
                {
                    c.appendAsync(entry("a-late-" + i + "-" + "x".repeat(1_000))).get(10, TimeUnit.SECONDS);
                }
                catch (final ExecutionException | WalException ex)
                {
                    refused.add(ex);
                }
            }
            final String last = refused.get(refused.size() - 1).toString();
            assertTrue(last.contains("fenced"), "the move was refused by the fence: " + last);
        }
        catch (final WalException closing)
        {
            // a's close reports its failed lane
        }
        assertEquals(0, store.objects.keySet().stream().filter(k -> k.endsWith(".left")).count(),
            "a's refused move takes its .left record back");
        assertDoesNotThrow(() -> Wal.open(bOptions).close(),
            "b, which took the prefix over before a's move and never saw a move go through, opens again");
    }

    /**
     * MoveRules.settle's fallback. One move (writer W, sequence S) recorded in lanes 1 (the ghost of a failed
     * attempt) and 2 (the lane that took the entries). A checkpoint deleted lane 2's segment that starts at S, so
     * neither lane "holds a segment starting at S" and the lower lane, 1, is made the owner: lane 2's acknowledged
     * entries above the checkpoint (writer W, from S on) are void.
     */
    @Test
    void aCheckpointPastTheNewLanesFirstSegmentDoesNotHandTheMoveToTheGhostLane() throws Exception
    {
        final Path l0 = dir.resolve("l0");
        final Path l1 = dir.resolve("l1");
        final Path l2 = dir.resolve("l2");
        final WalOptions options = RemoteTestSupport.options(dir, l0.toString(), l1.toString(), l2.toString())
            .collectionAffinity(true).distributionStrategy(DistributionStrategy.RoundRobin).build();
        final TreeMap<Long, String> acked = new TreeMap<>();
        long checkpoint;
        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection("c");    // RoundRobin: lane 0
            final WalCollection d = wal.collection("d");    // lane 1
            for (int i = 0; i < 100; i++)
            {
                final String v = "before-" + i + "-" + "x".repeat(1_000);
                acked.put(c.appendAsync(entry(v)).get(10, TimeUnit.SECONDS), v);
                if (i == 0)
                {
                    d.appendAsync(entry("d")).get(10, TimeUnit.SECONDS);
                }
            }
            stagingFails(l0, "c");
            int moved = 0;
            for (int i = 0; moved < 300 && i < 4_000; i++)
            {
                final String v = "new-" + i + "-" + "x".repeat(1_000);
                try
                {
                    acked.put(c.appendAsync(entry(v)).get(10, TimeUnit.SECONDS), v);
                    moved += wal.stats().lanes().get(0).failure() != null ? 1 : 0;
                }
                catch (final ExecutionException | WalException ex)
                {
                    // the append that found the lane failed
                }
            }
            assertEquals(1, filesEndingWith(l2.resolve("c"), ".moved").size(), "the move went to lane 2");
            checkpoint = acked.lastKey() - 60;    // past lane 2's first 64 KiB segments, not its last
            c.checkpoint(checkpoint);
        }
        final Path record = filesEndingWith(l2.resolve("c"), ".moved").get(0);
        final long s = Long.parseLong(record.getFileName().toString().substring(0, 20));
        assertTrue(filesEndingWith(l2.resolve("c"), ".avro").stream()
            .noneMatch(p -> p.getFileName().toString().startsWith(String.format("%020d-", s))),
            "the checkpoint deleted the segment starting at S");
        Files.createDirectories(l1.resolve("c"));
        Files.copy(record, l1.resolve("c").resolve(record.getFileName()));    // the ghost of a failed attempt
        final Path saved = l0.resolve(".saved");
        Files.delete(l0.resolve("c"));
        Files.move(saved, l0.resolve("c"));
        try (Wal wal = Wal.open(options))
        {
            final List<String> values = new ArrayList<>();
            try (WalReplay r = wal.collection("c").replay(checkpoint + 1))
            {
                r.forEachRemaining(rec -> values.add(new String(rec.value(), StandardCharsets.UTF_8)));
            }
            assertEquals(acked.tailMap(checkpoint, false).size(), values.size(),
                "every acknowledged entry above the checkpoint; notes: " + wal.recoveryNotes());
            assertEquals(new ArrayList<>(acked.tailMap(checkpoint, false).values()), values);
        }
    }
}
