package dev.spindle.wal.remote;

import dev.spindle.wal.AckMode;
import dev.spindle.wal.DistributionStrategy;
import dev.spindle.wal.Entry;
import dev.spindle.wal.Op;
import dev.spindle.wal.Wal;
import dev.spindle.wal.WalCollection;
import dev.spindle.wal.WalException;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.WalReader;
import dev.spindle.wal.WalReplay;
import dev.spindle.wal.WalStats;
import dev.spindle.wal.WalVerifier;
import dev.spindle.wal.internal.remote.LaneUrls;
import dev.spindle.wal.internal.segment.SegmentNames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static dev.spindle.wal.remote.RemoteTestSupport.BUCKET;
import static dev.spindle.wal.remote.RemoteTestSupport.staging;
import static dev.spindle.wal.remote.RemoteTestSupport.deleteTree;
import static dev.spindle.wal.remote.RemoteTestSupport.filesEndingWith;
import static dev.spindle.wal.remote.RemoteTestSupport.stagingBack;
import static dev.spindle.wal.remote.RemoteTestSupport.stagingFails;
import static dev.spindle.wal.remote.RemoteTestSupport.entry;
import static dev.spindle.wal.remote.RemoteTestSupport.URL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A remote lane whose staging fails (its collection directory there is gone, as a dead or unmounted staging disk
 * leaves it): with {@code ack = "local"} and affinity its collection moves to a healthy lane, local or remote, at
 * its next append, exactly like a local lane's; the remote-durable watermark stays below what the failed lane
 * staged and has not uploaded; a restart with the staging back is clean and replays every acknowledged entry once,
 * in order. A fenced lane never moves, and with {@code ack = "remote"} a remote lane's collection does not move.
 */
class RemoteMoveTest
{
    private static final String OTHER = "other";
    private static final int MAX_APPENDS = 2_000;

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

    /** Lane 0 is {@link RemoteTestSupport#URL}: RoundRobin with affinity puts the first collection there. */
    private WalOptions.Builder options(final String target)
    {
        return RemoteTestSupport.options(dir, URL, target)
            .collectionAffinity(true)
            .distributionStrategy(DistributionStrategy.RoundRobin);
    }

    /** Appends {@code n} values {@code prefix-i-xxx...} (about 1 KB), each acknowledged before the next. */
    private static void appendAcknowledged(final WalCollection c, final String prefix, final int n,
        final List<String> acked) throws Exception
    {
        for (int i = 0; i < n; i++)
        {
            final String value = prefix + "-" + i + "-" + "x".repeat(1_000);
            assertEquals(acked.size() + 1L, c.appendAsync(entry(value)).get(10, TimeUnit.SECONDS));
            acked.add(value);
        }
    }

    /**
     * Appends until lane 0 (the collection's) failed, then until {@code after} more were acknowledged in its new
     * lane. The lane may fail at a seal by age, between appends: then no append fails at all.
     *
     * @return the first sequence of the new lane (the move's), from the move record in {@code newLane}.
     */
    private static long appendThroughMove(final Wal wal, final WalCollection c, final Path newLane, final int after,
        final List<String> acked) throws Exception
    {
        int failures = 0;
        boolean failed = false;
        for (int i = 0, moved = 0; moved < after; i++)
        {
            assertTrue(i < MAX_APPENDS, "the lane never failed, or the collection never moved");
            failed = failed || wal.stats().lanes().get(0).failure() != null;
            final String value = (failed ? "new-" : "old-") + i + "-" + "x".repeat(1_000);
            try
            {
                final long sequence = c.appendAsync(entry(value)).get(10, TimeUnit.SECONDS);
                assertEquals(acked.size() + 1L, sequence, "sequences continue after the last acknowledged one");
                acked.add(value);
                moved += failed ? 1 : 0;
            }
            catch (final ExecutionException | WalException ex)
            {
                failures++;
                assertTrue(failures <= 2, "appends keep failing: " + ex);
            }
        }
        final List<Path> records = filesEndingWith(newLane.resolve(c.name()), ".moved");
        assertEquals(1, records.size(), "one move record, in the new lane's (staging) collection directory");
        return Long.parseLong(records.get(0).getFileName().toString().substring(0, 20));
    }

    /** Appends until one fails (the lane failed), each acknowledged before the next. */
    private static Exception appendUntilFailure(final WalCollection c, final List<String> acked) throws Exception
    {
        for (int i = 0; i < MAX_APPENDS; i++)
        {
            final String value = "until-" + i + "-" + "x".repeat(1_000);
            try
            {
                c.appendAsync(entry(value)).get(10, TimeUnit.SECONDS);
                acked.add(value);
            }
            catch (final ExecutionException | WalException ex)
            {
                return ex;
            }
        }
        throw new AssertionError("the lane never failed");
    }

    private static int pendingUploads(final Wal wal)
    {
        int pending = 0;
        for (final WalStats.LaneStats lane : wal.stats().lanes())
        {
            pending += lane.upload() == null ? 0 : lane.upload().pendingSegments();
        }
        return pending;
    }

    private static List<String> replay(final WalCollection c, final List<Long> sequences)
    {
        final List<String> values = new ArrayList<>();
        try (WalReplay r = c.replay(1))
        {
            r.forEachRemaining(rec -> {
                sequences.add(rec.sequence());
                values.add(new String(rec.value(), StandardCharsets.UTF_8));
            });
        }
        return values;
    }

    private static List<Long> range(final long from, final long to)
    {
        final List<Long> out = new ArrayList<>();
        for (long s = from; s <= to; s++)
        {
            out.add(s);
        }
        return out;
    }

    /** @return the highest last sequence of {@code collection}'s segment objects in {@code store} (0: none). */
    private static long lastInStore(final MemoryObjectStore store, final String bucket, final String collection)
    {
        long last = 0;
        for (final String key : store.objects.keySet())
        {
            final String prefix = bucket + "/wal/" + collection + "/";
            if (key.startsWith(prefix))
            {
                final long[] range = SegmentNames.parseSealed(key.substring(prefix.length()));
                last = range == null ? last : Math.max(last, range[1]);
            }
        }
        return last;
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "remote"})
    void shouldMoveACollectionOffARemoteLaneWhoseStagingFailedAndReplayEveryAcknowledgedEntryOnce(
        final String targetKind) throws Exception
    {
        final String target = targetKind.equals("local") ? dir.resolve("local").toString() : "mem://" + OTHER + "/wal";
        final Path targetDir = targetKind.equals("local") ? dir.resolve("local") : staging(dir, target);
        final WalOptions options = options(target).build();
        final Path failing = staging(dir, URL);
        final List<String> acked = new ArrayList<>();
        final long resume;
        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection("c");
            appendAcknowledged(c, "uploaded", 300, acked);
            assertTrue(c.awaitRemoteDurable(acked.size() - 150, 30, TimeUnit.SECONDS), "sealed segments uploaded");
            store.down = true;    // from now on the lane's sealed segments wait in staging
            appendAcknowledged(c, "staged", 300, acked);
            final long uploaded = c.remoteDurableSequence();
            assertTrue(uploaded < acked.size(), "entries acknowledged in staging, not uploaded");
            assertTrue(Files.isDirectory(failing.resolve("c")), "the collection lives in the remote lane");

            // the store answers again (a move records in it that the collection left the lane), but the staging is
            // dead: the staged segments cannot be read to upload them
            stagingFails(failing, "c");
            store.down = false;
            resume = appendThroughMove(wal, c, targetDir, 100, acked);

            final WalStats stats = wal.stats();
            assertNotNull(stats.lanes().get(0).failure(), "stats names the failed lane");
            assertNull(stats.lanes().get(1).failure());
            assertTrue(stats.lanes().get(1).collections().stream().anyMatch(s -> s.collection().equals("c")),
                "the collection now lives on the healthy lane");
            assertEquals(acked.size(), c.acknowledgedSequence());

            // what the failed lane staged and did not upload is acknowledged, not remote-durable
            assertTrue(c.remoteDurableSequence() < resume - 1, "remote-durable " + c.remoteDurableSequence() +
                " stays below the move at " + resume + " while the failed lane's segments wait in staging");
            final WalException notUploaded = assertThrows(WalException.class,
                () -> c.awaitRemoteDurable(c.lastSequence(), 30, TimeUnit.SECONDS));
            assertTrue(notUploaded.getMessage().contains("lane 0") &&
                notUploaded.getMessage().contains("not in object storage"), notUploaded.getMessage());

            // the staging is back and the store answers: the failed lane's uploader finishes what it had sealed
            // (what it fsync'd in its active segment is uploaded at the next open, which seals it)
            stagingBack(failing, "c");
            store.down = false;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (pendingUploads(wal) > 0 && System.nanoTime() - deadline < 0)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            assertEquals(0, pendingUploads(wal), "the staged segments uploaded");
            assertTrue(c.remoteDurableSequence() > uploaded && c.remoteDurableSequence() < resume,
                "the watermark follows the failed lane's uploads: " + c.remoteDurableSequence());

            final List<Long> sequences = new ArrayList<>();
            assertEquals(acked, replay(c, sequences), "live replay: every acknowledged entry");
            assertEquals(range(1, acked.size()), sequences, "once each, in order");
        }
        assertTrue(lastInStore(store, BUCKET, "c") < resume, "the failed lane uploaded nothing from the move on");
        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection("c");
            final List<Long> sequences = new ArrayList<>();
            assertEquals(acked, replay(c, sequences), "after reopening with the staging back");
            assertEquals(range(1, acked.size()), sequences);
            assertTrue(c.awaitRemoteDurable(acked.size(), 30, TimeUnit.SECONDS), "everything acknowledged is " +
                "uploaded at the next open, the failed lane's active segment too");
            assertEquals(acked.size() + 1L, c.append(entry("after")), "sequences go on");
            assertTrue(c.awaitAcknowledged(acked.size() + 1L, 10, TimeUnit.SECONDS));
            assertTrue(wal.stats().lanes().get(1).collections().stream()
                .anyMatch(s -> s.collection().equals("c") && s.laneSequence() == acked.size() + 1L),
                "the collection stays in its new lane");
        }
        assertTrue(lastInStore(store, BUCKET, "c") < resume, "nor at the next open");
        final WalVerifier.Report report = WalVerifier.verify(options);
        assertTrue(report.clean(), report.toString());
    }

    /**
     * The edge of a move onto a remote lane: the failed lane's staging comes back holding copies it wrote from the
     * move on (never acknowledged; here the new lane's segments, copied over, are such copies), while the new
     * lane's staging, with the move record, is gone. The record is in the new lane's bucket too (put before the
     * collection's first segment there): {@code verify}, {@code WalReader} and the next open apply it, the copies
     * are void, never uploaded, and every acknowledged entry replays once, in order, also from the buckets alone.
     */
    @ParameterizedTest
    @ValueSource(strings = {"local", "remote"})
    void shouldVoidTheFailedLanesCopiesWithTheNewLanesStagingGone(final String ack) throws Exception
    {
        final String target = "mem://" + OTHER + "/wal";
        final boolean remoteAck = ack.equals("remote");
        // with ack = "remote" a remote lane's collection does not move: there a failed local lane's moves to a bucket
        final Path local = dir.resolve("local");
        final String failed = remoteAck ? local.toString() : URL;
        final WalOptions used = RemoteTestSupport.options(dir, failed, target).collectionAffinity(true)
            .distributionStrategy(DistributionStrategy.RoundRobin).ack(AckMode.valueOf(ack)).segmentMaxAgeMs(50)
            .build();
        final Path failingLane = remoteAck ? local : staging(dir, URL);
        final List<String> acked = new ArrayList<>();
        final long resume;
        try (Wal wal = Wal.open(used))
        {
            final WalCollection c = wal.collection("c");
            appendAcknowledged(c, "before", 200, acked);
            stagingFails(failingLane, "c");
            resume = appendThroughMove(wal, c, staging(dir, target), 100, acked);
        }
        final List<String> records = new ArrayList<>();
        for (final String key : other.objects.keySet())
        {
            if (key.endsWith(".moved"))
            {
                records.add(key);
            }
        }
        assertEquals(1, records.size(), "the move record is in the new lane's bucket: " + records);
        assertTrue(records.get(0).startsWith(OTHER + "/wal/c/" + String.format("%020d", resume) + "-"), records.get(0));

        stagingBack(failingLane, "c");
        final List<String> copies = new ArrayList<>();
        for (final var object : other.objects.entrySet())
        {
            final String prefix = OTHER + "/wal/c/";
            if (object.getKey().startsWith(prefix) && object.getKey().endsWith(".avro"))
            {
                final String name = object.getKey().substring(prefix.length());
                Files.write(failingLane.resolve("c").resolve(name), object.getValue());
                copies.add(name);
            }
        }
        assertFalse(copies.isEmpty());
        deleteTree(staging(dir, target));    // the new lane's staging, with the record, is gone

        final List<Long> sequences = new ArrayList<>();
        assertEquals(acked, offlineReplay(used, sequences), "WalReader applies the record from the bucket");
        assertEquals(range(1, acked.size()), sequences);
        final WalVerifier.Report before = WalVerifier.verify(used);
        assertTrue(before.clean(), before.toString());
        try (Wal wal = Wal.open(used))
        {
            sequences.clear();
            assertEquals(acked, replay(wal.collection("c"), sequences), "every acknowledged entry, no void copy");
            assertEquals(range(1, acked.size()), sequences);
            assertTrue(wal.recoveryNotes().stream().anyMatch(n -> n.contains("move record voided")),
                wal.recoveryNotes().toString());
        }
        assertEquals(copies.size(), filesEndingWith(failingLane.resolve("c"), ".void").size(), "set aside, kept");
        if (!remoteAck)
        {
            assertTrue(lastInStore(store, BUCKET, "c") < resume, "the failed lane never uploaded a copy");
        }
        deleteTree(dir.resolve("staging"));
        sequences.clear();
        assertEquals(acked, offlineReplay(used, sequences), "without any staging: from the buckets (and the local " +
            "lane, with ack = \"remote\")");
        assertEquals(range(1, acked.size()), sequences);
    }

    private static List<String> offlineReplay(final WalOptions options, final List<Long> sequences)
    {
        final List<String> values = new ArrayList<>();
        try (WalReader reader = WalReader.open(options); WalReplay r = reader.replay("c", 1))
        {
            r.forEachRemaining(rec -> {
                sequences.add(rec.sequence());
                values.add(new String(rec.value(), StandardCharsets.UTF_8));
            });
        }
        return values;
    }

    /**
     * Another writer takes the prefix over: the fenced lane's collection never moves (the fenced writer stops
     * there; going on in another lane would make two writers of it). Every append fails naming the fence.
     */
    @Test
    void shouldNeverMoveACollectionOfAFencedLane() throws Exception
    {
        final Path local = dir.resolve("local");
        final List<String> acked = new ArrayList<>();
        try (Wal a = Wal.open(options(local.toString()).segmentMaxAgeMs(20).build()))
        {
            final WalCollection c = a.collection("c");
            appendAcknowledged(c, "a", 10, acked);
            try (Wal b = Wal.open(RemoteTestSupport.options(dir.resolve("b"), URL).build()))
            {
                assertEquals(2, b.stats().lanes().get(0).upload().writerEpoch());
                appendUntilFailure(c, acked);    // a's next upload sees epoch 2: its lane fails
                for (int i = 0; i < 20; i++)
                {
                    final WalException refused = assertThrows(WalException.class, () -> c.append(entry("late")));
                    assertTrue(refused.getMessage().contains("fenced") &&
                        refused.getMessage().contains("writer epoch 2"), refused.getMessage());
                }
                assertTrue(a.stats().lanes().get(0).failure().contains("fenced"), a.stats().lanes().get(0).failure());
            }
        }
        assertFalse(Files.exists(local.resolve("c")), "nothing of the collection went to the other lane");
        assertEquals(List.of(), filesEndingWith(dir, ".moved"), "no move record anywhere");
    }

    /**
     * The staging failed first, and another writer took the prefix before the collection's next append: the
     * router asks the store before it moves, finds the newer epoch, and does not move it.
     */
    @Test
    void shouldNotMoveOffAFailedStagingOnceAnotherWriterTookThePrefix() throws Exception
    {
        final Path local = dir.resolve("local");
        final List<String> acked = new ArrayList<>();
        try (Wal a = Wal.open(options(local.toString()).uploadCloseTimeoutMs(1_000).build()))
        {
            final WalCollection c = a.collection("c");
            appendAcknowledged(c, "a", 300, acked);
            stagingFails(staging(dir, URL), "c");
            appendUntilFailure(c, acked);
            final String failure = a.stats().lanes().get(0).failure();
            assertFalse(failure.contains("fenced"), "the staging failed: " + failure);
            try (Wal b = Wal.open(RemoteTestSupport.options(dir.resolve("b"), URL).build()))
            {
                for (int i = 0; i < 5; i++)
                {
                    final WalException refused = assertThrows(WalException.class, () -> c.append(entry("late")));
                    assertTrue(refused.getMessage().contains("fenced") &&
                        refused.getMessage().contains("writer epoch 2"), refused.getMessage());
                }
            }
        }
        assertFalse(Files.exists(local.resolve("c")), "nothing of the collection went to the other lane");
        assertEquals(List.of(), filesEndingWith(dir, ".moved"), "no move record anywhere");
    }

    /**
     * With {@code ack = "remote"} a remote lane's collection is not moved when its staging fails: appends fail,
     * saying why; everything acknowledged (in object storage) replays after a restart with the staging back.
     */
    @Test
    void shouldNotMoveOffARemoteLaneWithRemoteAcknowledgements() throws Exception
    {
        final Path local = dir.resolve("local");
        final WalOptions options = options(local.toString()).ack(AckMode.remote).segmentMaxAgeMs(20)
            .uploadCloseTimeoutMs(1_000).build();
        final Path failing = staging(dir, URL);
        final List<String> acked = new ArrayList<>();
        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection("c");
            appendAcknowledged(c, "a", 50, acked);
            stagingFails(failing, "c");
            appendUntilFailure(c, acked);
            for (int i = 0; i < 5; i++)
            {
                final WalException refused = assertThrows(WalException.class, () -> c.append(entry("late")));
                assertTrue(refused.getMessage().contains("ack = \"remote\"") &&
                    refused.getMessage().contains("not moved"), refused.getMessage());
            }
            assertTrue(c.acknowledgedSequence() >= acked.size(), "every acknowledged future counts");
        }
        assertFalse(Files.exists(local.resolve("c")), "nothing of the collection went to the other lane");
        stagingBack(failing, "c");
        try (Wal wal = Wal.open(options))
        {
            // a staged copy still there (the failure came between its upload and its deletion) is compared with
            // the object before the entries in it count as remote-durable again
            assertTrue(wal.collection("c").awaitAcknowledged(acked.size(), 30, TimeUnit.SECONDS));
            final List<Long> sequences = new ArrayList<>();
            final List<String> values = replay(wal.collection("c"), sequences);
            assertEquals(acked, values.subList(0, acked.size()), "every acknowledged entry, in order");
            assertEquals(range(1, values.size()), sequences);
        }
    }
}
