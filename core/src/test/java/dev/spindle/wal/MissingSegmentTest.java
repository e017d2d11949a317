package dev.spindle.wal;

import dev.spindle.wal.internal.segment.SegmentNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static dev.spindle.wal.SegmentSurgery.COLLECTION;
import static dev.spindle.wal.SegmentSurgery.appendBatch;
import static dev.spindle.wal.SegmentSurgery.copyTree;
import static dev.spindle.wal.SegmentSurgery.drain;
import static dev.spindle.wal.SegmentSurgery.entry;
import static dev.spindle.wal.SegmentSurgery.flip;
import static dev.spindle.wal.SegmentSurgery.read;
import static dev.spindle.wal.SegmentSurgery.sequences;
import static dev.spindle.wal.SegmentSurgery.snapshot;
import static dev.spindle.wal.SegmentSurgery.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damage that no crash leaves behind, found at open: a sealed segment missing from the middle of a
 * collection or from just before its active tail, and a whole valid header of another collection in an
 * active segment. Strict recovery stops and names the damage; lenient recovery keeps every entry it can
 * read and never hands out a sequence that a file still holds, even one it set aside. Before these checks
 * existed, a missing last sealed segment made strict recovery delete the acknowledged tail after it and
 * reuse its sequences, and a transplanted header was taken for a torn one and deleted.
 */
class MissingSegmentTest
{
    private static final int ENTRIES = 6_000;

    @TempDir
    Path dir;

    enum Where
    {
        /** The last sealed segment: the active tail follows it. */
        BEFORE_THE_TAIL,
        /** A sealed segment with sealed segments on both sides. */
        IN_THE_MIDDLE
    }

    /**
     * One lane, {@value #ENTRIES} acknowledged entries in batches of 100 over 64 KiB segments, copied while the
     * WAL is open (what kill -9 leaves): several sealed segments and an active one.
     *
     * @return the copy's collection directory.
     */
    private Path crashImage() throws IOException
    {
        final Path live = dir.resolve("live");
        try (Wal wal = Wal.open(options(live, RecoveryMode.strict)))
        {
            final WalCollection c = wal.collection(COLLECTION);
            for (int i = 0; i < ENTRIES / 100; i++)
            {
                appendBatch(c, 100);
            }
            copyTree(live, dir.resolve("image"));
        }
        final Path collectionDir = dir.resolve("image").resolve(COLLECTION);
        assertTrue(WalTestSupport.sealed(collectionDir).size() >= 3, "the image holds several sealed segments");
        assertEquals(1, WalTestSupport.open(collectionDir).size(), "the image holds an active segment");
        return collectionDir;
    }

    private static WalOptions options(final Path lane, final RecoveryMode mode)
    {
        return SegmentSurgery.options(SyncMode.PerBatch, IoMode.pwrite, lane).recoveryMode(mode).build();
    }

    private static Path victim(final Path collectionDir, final Where where)
    {
        final List<Path> sealed = WalTestSupport.sealed(collectionDir);
        return where == Where.BEFORE_THE_TAIL ? sealed.get(sealed.size() - 1) : sealed.get(sealed.size() / 2);
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void aMissingSealedSegmentStopsAStrictOpenNamingTheSequencesAndChangesNothing(final Where where) throws IOException
    {
        final Path collectionDir = crashImage();
        final Path victim = victim(collectionDir, where);
        final long[] range = SegmentNames.parseSealed(victim.getFileName().toString());
        Files.delete(victim);
        final Map<String, String> before = snapshot(collectionDir);
        final Path lane = collectionDir.getParent();

        final CorruptSegmentException ex = assertThrows(CorruptSegmentException.class,
            () -> Wal.open(options(lane, RecoveryMode.strict)).close());
        assertTrue(ex.getMessage().contains("sequences " + range[0] + ".." + range[1] + " are missing"),
            "the error names the missing sequences: " + ex.getMessage());
        assertEquals(before, snapshot(collectionDir), "a refused open deletes nothing (the tail was acknowledged)");

        assertThrows(CorruptSegmentException.class, () -> WalReader.open(options(lane, RecoveryMode.strict)).close(),
            "a reader does not replay past the hole either");
        final WalVerifier.Report report = WalVerifier.verify(options(lane, RecoveryMode.strict));
        assertFalse(report.clean(), "verify reports the hole: " + report.findings());
        assertTrue(report.findings().toString().contains("sequences " + range[0] + ".." + range[1] + " are missing"),
            "verify names the missing sequences: " + report.findings());
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void aLenientOpenKeepsEveryEntryAfterAMissingSealedSegmentAndNeverReusesItsSequences(final Where where)
        throws IOException
    {
        final Path collectionDir = crashImage();
        final Path victim = victim(collectionDir, where);
        final long[] range = SegmentNames.parseSealed(victim.getFileName().toString());
        Files.delete(victim);

        final List<Long> expected = LongStream.rangeClosed(1, ENTRIES)
            .filter(s -> s < range[0] || s > range[1]).boxed().collect(Collectors.toList());
        try (Wal wal = Wal.open(options(collectionDir.getParent(), RecoveryMode.lenient)))
        {
            assertTrue(wal.recoveryNotes().stream().anyMatch(n -> n.contains(range[0] + ".." + range[1])),
                "lenient recovery says what is missing: " + wal.recoveryNotes());
            final WalCollection c = wal.collection(COLLECTION);
            assertEquals(expected, sequences(drain(wal.replay(COLLECTION, 1))), "every entry there is replays");
            final long next = c.append(entry(new Entry(), ENTRIES + 1));
            assertEquals(ENTRIES + 1, next, "the next append continues after the last entry on disk");
            assertTrue(c.awaitAcknowledged(next, 10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aSealedSegmentSetAsideByALenientOpenKeepsItsSequencesAndTheTailAfterIt() throws IOException
    {
        final Path collectionDir = crashImage();
        final Path victim = victim(collectionDir, Where.BEFORE_THE_TAIL);
        final long[] range = SegmentNames.parseSealed(victim.getFileName().toString());
        write(victim, flip(read(victim), 1, 0x01));    // its magic: set aside as corrupt, not deleted
        final Path lane = collectionDir.getParent();

        final List<Long> expected = LongStream.rangeClosed(1, ENTRIES)
            .filter(s -> s < range[0] || s > range[1]).boxed().collect(Collectors.toList());
        try (Wal wal = Wal.open(options(lane, RecoveryMode.lenient)))
        {
            assertEquals(expected, sequences(drain(wal.replay(COLLECTION, 1))),
                "the acknowledged tail after the set-aside segment replays");
            final WalCollection c = wal.collection(COLLECTION);
            final long next = c.append(entry(new Entry(), ENTRIES + 1));
            assertEquals(ENTRIES + 1, next, "no sequence of the set-aside file is handed out again");
            assertTrue(c.awaitAcknowledged(next, 10, TimeUnit.SECONDS));
        }
        assertTrue(Files.exists(victim.resolveSibling(victim.getFileName() + ".corrupt")), "set aside, not deleted");
        // the set-aside file still accounts for its sequences: a later strict open finds no hole
        try (Wal wal = Wal.open(options(lane, RecoveryMode.strict)))
        {
            final List<Long> withNext = new java.util.ArrayList<>(expected);
            withNext.add((long)ENTRIES + 1);
            assertEquals(withNext, sequences(drain(wal.replay(COLLECTION, 1))));
        }
    }

    @Test
    void aWholeValidHeaderOfAnotherCollectionInAnActiveSegmentIsDamageNotATornHeader() throws IOException
    {
        final Path live = dir.resolve("live");
        final Path image = dir.resolve("image");
        try (Wal wal = Wal.open(options(live, RecoveryMode.strict)))
        {
            appendBatch(wal.collection("c0"), 30);
            appendBatch(wal.collection("c1"), 30);
            copyTree(live, image);
        }
        final Path c0 = WalTestSupport.open(image.resolve("c0")).get(0);
        final Path c1 = WalTestSupport.open(image.resolve("c1")).get(0);
        assertEquals(c0.getFileName(), c1.getFileName(), "both active segments start at sequence 1");
        Files.copy(c1, c0, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        final Map<String, String> before = snapshot(image.resolve("c0"));

        final CorruptSegmentException ex = assertThrows(CorruptSegmentException.class,
            () -> Wal.open(options(image, RecoveryMode.strict)).close());
        assertTrue(ex.getMessage().contains(c0.toString()) && ex.getMessage().contains("c1"),
            "the error names the file and the collection its header names: " + ex.getMessage());
        assertEquals(before, snapshot(image.resolve("c0")), "a refused open deletes nothing");
        final WalVerifier.Report report = WalVerifier.verify(options(image, RecoveryMode.strict));
        assertFalse(report.clean(), "verify reports it as damage, not as a torn header: " + report.findings());

        try (Wal wal = Wal.open(options(image, RecoveryMode.lenient)))
        {
            final WalCollection c = wal.collection("c0");
            final long next = c.append(entry(new Entry(), 1));
            assertTrue(next > 1, "no sequence is handed out twice: " + next);
            assertTrue(c.awaitAcknowledged(next, 10, TimeUnit.SECONDS));
        }
        assertTrue(Files.exists(c0.resolveSibling(c0.getFileName() + ".corrupt")), "set aside, not deleted");
    }

    /**
     * Not damage: with {@code collection_affinity = false}, a kill -9 after lane B wrote 6 into a new active
     * segment but before lane A created its active segment for 5. 6 was never acknowledged (acknowledgements
     * wait for the contiguous watermark): a strict open drops it and goes on at 5, and verify calls it clean.
     */
    @Test
    void aSequenceLostInALaneThatHadNotCreatedItsActiveSegmentIsNotDamageWithoutAffinity() throws IOException
    {
        final Path a = dir.resolve("a");
        final Path b = dir.resolve("b");
        try (Wal wal = Wal.open(spread(a, b, RecoveryMode.strict)))
        {
            appendBatch(wal.collection(COLLECTION), 4);    // sealed at close: a holds 1, 3 and b 2, 4
        }
        final Path imageA = dir.resolve("image-a");
        final Path imageB = dir.resolve("image-b");
        try (Wal wal = Wal.open(spread(a, b, RecoveryMode.strict)))
        {
            appendBatch(wal.collection(COLLECTION), 2);    // 5 in a, 6 in b
            copyTree(a, imageA);
            copyTree(b, imageB);
        }
        final Path five = imageA.resolve(COLLECTION).resolve(SegmentNames.open(5));
        assertTrue(Files.exists(five), "lane a holds 5 in its active segment");
        Files.delete(five);    // the state where lane a had not created it yet

        final WalVerifier.Report report = WalVerifier.verify(spread(imageA, imageB, RecoveryMode.strict));
        assertTrue(report.clean(), "a crash, not damage: " + report.findings());
        try (Wal wal = Wal.open(spread(imageA, imageB, RecoveryMode.strict)))
        {
            assertEquals(List.of(1L, 2L, 3L, 4L), sequences(drain(wal.replay(COLLECTION, 1))),
                "6 was never acknowledged and is dropped");
            assertEquals(5, wal.collection(COLLECTION).append(entry(new Entry(), 5)), "sequences go on at 5");
        }
    }

    /**
     * Not damage either: with {@code sync_mode = Never} a full segment is forced on a background thread while the
     * lane goes on in the next one, so a power cut can leave the earlier one with its header alone (its entries
     * never reached the disk) and the next one with entries. The hole follows an active segment and only active
     * segments follow it: no entry after it was durable. (The power-loss test found this in CI: a strict open
     * refused, naming the hole, because an empty active segment accounted for nothing.)
     */
    @Test
    void aPowerCutThatLostAWholeSegmentBeingForcedWhileTheNextHasEntriesIsNotDamage() throws IOException
    {
        final Path live = dir.resolve("live");
        try (Wal wal = Wal.open(SegmentSurgery.options(SyncMode.Never, IoMode.pwrite, live).build()))
        {
            final WalCollection c = wal.collection(COLLECTION);
            for (int i = 0; i < ENTRIES / 100; i++)
            {
                appendBatch(c, 100);
            }
            copyTree(live, dir.resolve("image"));
        }
        final Path collectionDir = dir.resolve("image").resolve(COLLECTION);
        final List<Path> open = WalTestSupport.open(collectionDir);
        if (open.size() > 1)
        {
            // the copy caught a segment still being forced: as if that force had finished
            final Path done = open.get(0);
            final long last = WalTestSupport.segmentSequences(done).get(WalTestSupport.segmentSequences(done).size() - 1);
            final SegmentSurgery.Segment whole = SegmentSurgery.parse(done);
            write(collectionDir.resolve(SegmentNames.sealed(SegmentNames.parseOpen(done.getFileName().toString()),
                last)), java.util.Arrays.copyOf(whole.bytes(), (int)whole.blocks().get(whole.blocks().size() - 1).end()));
            Files.delete(done);
        }
        final Path last = victim(collectionDir, Where.BEFORE_THE_TAIL);
        final long[] range = SegmentNames.parseSealed(last.getFileName().toString());
        final SegmentSurgery.Segment segment = SegmentSurgery.parse(last);
        final byte[] headerOnly = new byte[segment.bytes().length];
        System.arraycopy(segment.bytes(), 0, headerOnly, 0, segment.headerLength());
        write(collectionDir.resolve(SegmentNames.open(range[0])), headerOnly);    // still active, nothing after its header
        Files.delete(last);
        final Path lane = collectionDir.getParent();

        final WalOptions never = SegmentSurgery.options(SyncMode.Never, IoMode.pwrite, lane)
            .recoveryMode(RecoveryMode.strict).build();
        final WalVerifier.Report report = WalVerifier.verify(never);
        assertTrue(report.clean(), "a power cut, not damage: " + report.findings());
        try (Wal wal = Wal.open(never))
        {
            assertTrue(wal.recoveryNotes().stream().anyMatch(n -> n.contains("sequence " + range[0] + " was lost")),
                "the open says what the cut lost: " + wal.recoveryNotes());
            final List<Long> expected = LongStream.range(1, range[0]).boxed().collect(Collectors.toList());
            assertEquals(expected, sequences(drain(wal.replay(COLLECTION, 1))), "everything before the hole replays");
            assertEquals(range[0], wal.collection(COLLECTION).append(entry(new Entry(), range[0])),
                "sequences go on at the first one lost");
        }
    }

    private static WalOptions spread(final Path a, final Path b, final RecoveryMode mode)
    {
        return SegmentSurgery.options(SyncMode.PerBatch, IoMode.pwrite, a, b).collectionAffinity(false)
            .distributionStrategy(DistributionStrategy.RoundRobin).recoveryMode(mode).build();
    }

    @Test
    void anActiveSegmentSetAsideByALenientOpenKeepsItsSequencesAtTheNextOpenToo() throws IOException
    {
        final Path collectionDir = crashImage();
        final Path open = WalTestSupport.open(collectionDir).get(0);
        final List<Long> held = WalTestSupport.segmentSequences(open);
        write(open, flip(read(open), 1, 0x01));    // its magic: set aside, entries intact
        final WalOptions lenient = options(collectionDir.getParent(), RecoveryMode.lenient);
        try (Wal wal = Wal.open(lenient))
        {
            assertEquals(held.get(held.size() - 1), wal.collection(COLLECTION).lastSequence());
        }
        try (Wal wal = Wal.open(lenient))    // nothing appended in between
        {
            final long next = wal.collection(COLLECTION).append(entry(new Entry(), 1));
            assertEquals(held.get(held.size() - 1) + 1, next, "no sequence the set-aside file holds is handed out");
        }
    }

    /**
     * With affinity, a collection whose directory also exists in another lane (left there when the lanes
     * changed) still has one lane with an active segment: a sealed segment missing before its tail is damage.
     */
    @Test
    void aMissingSealedSegmentIsStillDamageWhenAnotherLaneHasTheCollectionsDirectory() throws IOException
    {
        final Path collectionDir = crashImage();
        final Path victim = victim(collectionDir, Where.BEFORE_THE_TAIL);
        Files.delete(victim);
        final Path other = Files.createDirectories(dir.resolve("other").resolve(COLLECTION));
        final WalOptions twoLanes = SegmentSurgery.options(SyncMode.PerBatch, IoMode.pwrite, collectionDir.getParent(),
            other.getParent()).collectionAffinity(true).recoveryMode(RecoveryMode.strict).build();
        assertThrows(CorruptSegmentException.class, () -> Wal.open(twoLanes).close(),
            "the acknowledged tail is not dropped as if it had never been acknowledged");
    }
}
