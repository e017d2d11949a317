package dev.spindle.wal.remote;

import dev.spindle.wal.internal.remote.LaneUrls;

import dev.spindle.wal.Entry;
import dev.spindle.wal.Wal;
import dev.spindle.wal.WalCollection;
import dev.spindle.wal.WalRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.spindle.wal.remote.RemoteTestSupport.URL;
import static dev.spindle.wal.remote.RemoteTestSupport.appendN;
import static dev.spindle.wal.remote.RemoteTestSupport.stagedSegments;
import static dev.spindle.wal.remote.RemoteTestSupport.options;
import static dev.spindle.wal.remote.RemoteTestSupport.replay;
import static dev.spindle.wal.remote.RemoteTestSupport.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Segments staged for upload: found again whatever the spelling of the lane's URL, never deleted because a
 * foreign object shares their first sequence, and never counted as remote-durable before they are uploaded.
 */
class StagedSegmentsTest
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

    private static List<Long> replaySequences(final WalCollection c)
    {
        return replay(c).stream().map(WalRecord::sequence).toList();
    }

    /**
     * LaneUrls.stagingName: the readable part is taken from the raw URL, so "mem://bucket/wal" and
     * "mem://bucket/wal/" (the same remote prefix for every other check) get different staging directories.
     * Segments sealed but not yet uploaded under one spelling are invisible after a restart with the other:
     * acknowledged (durable) entries disappear and their sequences are handed out again.
     */
    @Test
    void shouldFindStagedSegmentsAgainWhenTheUrlIsSpelledWithATrailingSlash() throws Exception
    {
        try (Wal wal = Wal.open(options(dir, "mem://bucket/wal").uploadCloseTimeoutMs(100).build()))
        {
            store.down = true;   // after the open: it claims a writer epoch in the store
            final WalCollection c = wal.collection("c");
            c.awaitDurable(appendN(c, 2000));   // acknowledged: durable in staging
        }
        store.down = false;
        try (Wal wal = Wal.open(options(dir, "mem://bucket/wal/").build()))
        {
            final WalCollection c = wal.collection("c");
            assertEquals(2000, c.lastSequence(), "acknowledged entries staged under the other spelling are lost; " +
                "staging now: " + stagedSegments(dir));
        }
    }

    /**
     * WalEngine.adopt matches a staged segment to the listing by first sequence only
     * (inStore.containsKey(s.firstSequence())). A foreign object c/F-F.avro (any content) makes the staged,
     * never uploaded segment F-L count as uploaded: its staged copy is deleted by adoptUploaded and it is never
     * uploaded, so its acknowledged entries are gone.
     */
    @Test
    void shouldKeepAStagedSegmentWhenAForeignObjectHasTheSameFirstSequence() throws Exception
    {
        try (Wal wal = Wal.open(options(dir).uploadCloseTimeoutMs(100).build()))
        {
            store.down = true;   // after the open: it claims a writer epoch in the store
            final WalCollection c = wal.collection("c");
            c.awaitDurable(appendN(c, 2000));
        }
        final List<Path> staged = stagedSegments(dir);
        assertTrue(staged.size() > 3, staged.toString());
        final String first = staged.get(0).getFileName().toString();   // 0000..01-0000..NN.avro
        final String foreign = first.substring(0, 20) + "-" + first.substring(0, 20) + ".avro";
        store.objects.put("bucket/wal/c/" + foreign, new byte[3]);
        store.down = false;
        try (Wal wal = Wal.open(options(dir).build()))
        {
            final WalCollection c = wal.collection("c");
            final long t0 = System.nanoTime();
            while (store.objects.keySet().stream().filter(k -> k.endsWith(".avro")).count() < staged.size() + 1 &&
                System.nanoTime() - t0 < 5_000_000_000L)
            {
                Thread.sleep(10);
            }
            assertTrue(Files.exists(staged.get(0)) || store.objects.containsKey("bucket/wal/c/" + first),
                first + " was neither kept in staging nor uploaded: its entries exist nowhere");
            assertEquals(2000, replaySequences(c).size());
        }
    }

    /**
     * RemoteLane.uploadedPrefix walks lc.sealed() only. SegmentManager.finish seals a full segment at once when the
     * gate passed it, even while an earlier segment of the same lane still waits in awaitingSeal (collection spread
     * over lanes); that later segment is uploaded and advance() sets the lane's remote mark to its last sequence,
     * past the waiting segment's entries, which are neither sealed nor uploaded. Monitor: a .open file of the
     * remote lane with a first sequence at or below remoteDurableSequence read before listing it, or a staged
     * .avro at or below it that is not in the store, is an entry counted remote-durable but not uploaded.
     */
    @Test
    void shouldNeverCountAnEntryRemoteDurableBeforeItIsUploadedWithoutAffinity() throws Exception
    {
        final String[] urls = {dir.resolve("disk1").toString(), URL};
        final long end = System.nanoTime() + 20_000_000_000L;
        final List<String> violations = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int round = 0; round < 50 && System.nanoTime() < end && violations.isEmpty(); round++)
        {
            try (Wal wal = Wal.open(options(dir, urls).collectionAffinity(false)
                .distributionStrategy(dev.spindle.wal.DistributionStrategy.RoundRobin).build()))
            {
                final WalCollection c = wal.collection("c" + round);
                final Path stagingC;
                try (Stream<Path> l = Files.list(dir.resolve("staging")))
                {
                    stagingC = l.filter(Files::isDirectory).findFirst().orElseThrow().resolve(c.name());
                }
                final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
                final Thread monitor = new Thread(() -> {
                    while (!stop.get())
                    {
                        final long w = c.remoteDurableSequence();
                        if (w == 0 || !Files.isDirectory(stagingC))
                        {
                            continue;
                        }
                        try (Stream<Path> files = Files.list(stagingC))
                        {
                            for (final Path f : (Iterable<Path>)files::iterator)
                            {
                                final String n = f.getFileName().toString();
                                if (n.endsWith(".open") && Long.parseLong(n.substring(0, 20)) <= w)
                                {
                                    violations.add("remote-durable " + w + " but " + n + " is still open in staging");
                                }
                                if (n.endsWith(".avro") && n.length() == 46 && Long.parseLong(n.substring(0, 20)) <= w &&
                                    Files.exists(f) && !store.objects.containsKey("bucket/wal/" + c.name() + "/" + n))
                                {
                                    violations.add("remote-durable " + w + " but " + n + " is not in the store");
                                }
                            }
                        }
                        catch (final Exception ignore)
                        {
                            // files moving
                        }
                    }
                });
                monitor.start();
                final List<Thread> producers = new ArrayList<>();
                for (int t = 0; t < 4; t++)
                {
                    final Thread p = new Thread(() -> {
                        final Entry e = new Entry();
                        for (int i = 0; i < 3000; i++)
                        {
                            c.append(e.clear().value(new byte[300]));
                        }
                    });
                    p.start();
                    producers.add(p);
                }
                for (final Thread p : producers)
                {
                    p.join(60_000);
                    assertFalse(p.isAlive(), "a producer did not finish within 60 s");
                }
                stop.set(true);
                monitor.join(60_000);
                assertFalse(monitor.isAlive(), "the monitor did not stop within 60 s");
            }
        }
        assertEquals(List.of(), violations.stream().distinct().limit(5).collect(Collectors.toList()));
    }
}
