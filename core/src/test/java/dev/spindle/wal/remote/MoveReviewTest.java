package dev.spindle.wal.remote;

import dev.spindle.wal.DistributionStrategy;
import dev.spindle.wal.Entry;
import dev.spindle.wal.Op;
import dev.spindle.wal.Wal;
import dev.spindle.wal.WalCollection;
import dev.spindle.wal.WalException;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.WalReplay;
import dev.spindle.wal.internal.remote.LaneUrls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Review of 5e57eb0. */
/**
 * Two more edges of moving a remote lane's collection (a second review, each failing before its fix): a move the
 * fence re-check refuses takes its {@code .left} record back, so the writer that took the prefix over opens
 * again; a move recorded in two lanes goes to the lane holding the writer's entries from the move on, also when a
 * checkpoint freed the segment that started there.
 */
class MoveReviewTest
{
    @TempDir
    Path dir;

    private MemoryObjectStore store;

    @BeforeEach
    @AfterEach
    void reset()
    {
        store = MemoryObjectStore.serve(BUCKET);
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
