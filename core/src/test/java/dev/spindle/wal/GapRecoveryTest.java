package dev.spindle.wal;

import dev.spindle.wal.SegmentSurgery.Block;
import dev.spindle.wal.SegmentSurgery.Segment;
import dev.spindle.wal.internal.segment.SegmentFormat;
import dev.spindle.wal.internal.segment.SegmentNames;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static dev.spindle.wal.SegmentSurgery.COLLECTION;
import static dev.spindle.wal.SegmentSurgery.assertOnlySealedSegmentsMatchingTheirNames;
import static dev.spindle.wal.SegmentSurgery.assertSameRecords;
import static dev.spindle.wal.SegmentSurgery.copyTree;
import static dev.spindle.wal.SegmentSurgery.drain;
import static dev.spindle.wal.SegmentSurgery.entry;
import static dev.spindle.wal.SegmentSurgery.names;
import static dev.spindle.wal.SegmentSurgery.onlyFile;
import static dev.spindle.wal.SegmentSurgery.parse;
import static dev.spindle.wal.SegmentSurgery.replayAll;
import static dev.spindle.wal.SegmentSurgery.sequences;
import static dev.spindle.wal.SegmentSurgery.snapshot;
import static dev.spindle.wal.SegmentSurgery.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariant 2 across lanes after a crash: a collection spread over two lanes ({@code collection_affinity
 * = false}, RoundRobin) lost sequence 6 in lane B while lane A still holds 7 and 9. Those were never
 * acknowledged (acknowledgement waits for the contiguous watermark), so recovery keeps 1..5 only, says
 * so, seals both lanes with names that match their contents and hands out 6 next.
 *
 * <p>Construction: entries 1..10 are appended one at a time, each acknowledged before the next, so with
 * RoundRobin over two lanes lane A gets the odd and lane B the even sequences, each in a block of its
 * own. Both lanes are copied while the WAL is open (what kill -9 leaves), then lane B's copy loses
 * sequence 6 and everything after it: cut at the start of 6's block, zeroed from there (what a lost
 * mmap page looks like), or torn inside 6's block.
 */
class GapRecoveryTest
{
    @TempDir
    Path dir;

    enum Loss
    {
        /** Lane B's file ends where the block of 6 started. */
        TRUNCATED_AT_THE_BLOCK_OF_6,
        /** Lane B's file keeps its length, zeros from the block of 6 on. */
        ZEROS_FROM_THE_BLOCK_OF_6,
        /** Lane B's file ends in the middle of the block of 6 (a torn tail). */
        TORN_INSIDE_THE_BLOCK_OF_6
    }

    static Stream<Arguments> lossesInBothIoModes()
    {
        final List<Arguments> cases = new ArrayList<>();
        for (final IoMode ioMode : IoMode.values())
        {
            for (final Loss loss : Loss.values())
            {
                cases.add(Arguments.of(ioMode, loss));
            }
        }
        return cases.stream();
    }

    private static WalOptions options(final IoMode ioMode, final Path laneA, final Path laneB)
    {
        return SegmentSurgery.options(SyncMode.PerBatch, ioMode, laneA, laneB)
            .collectionAffinity(false)
            .distributionStrategy(DistributionStrategy.RoundRobin)
            .build();
    }

    /** The two lanes' active segments as a crash left them. */
    private record Crash(Path laneA, Path laneB, Segment a, Segment b)
    {
        Path fileA()
        {
            return laneA.resolve(COLLECTION).resolve(a.name());
        }

        Path fileB()
        {
            return laneB.resolve(COLLECTION).resolve(b.name());
        }
    }

    private Crash crash(final IoMode ioMode)
    {
        return crash(ioMode, Codec.NULL);
    }

    private Crash crash(final IoMode ioMode, final Codec codec)
    {
        final Path liveA = dir.resolve("live-a");
        final Path liveB = dir.resolve("live-b");
        final Path laneA = dir.resolve("crashed-a");
        final Path laneB = dir.resolve("crashed-b");
        try (Wal wal = Wal.open(options(ioMode, liveA, liveB).toBuilder().codec(codec).build()))
        {
            final WalCollection c = wal.collection(COLLECTION);
            final Entry e = new Entry();
            for (long i = 1; i <= 10; i++)
            {
                assertEquals(i, c.append(entry(e, i)));
                c.awaitAcknowledged(i);
            }
            copyTree(liveA, laneA);
            copyTree(liveB, laneB);
        }
        final Segment a = parse(onlyFile(laneA.resolve(COLLECTION), SegmentNames.OPEN_SUFFIX));
        final Segment b = parse(onlyFile(laneB.resolve(COLLECTION), SegmentNames.OPEN_SUFFIX));
        assertEquals(List.of(1L, 3L, 5L, 7L, 9L), sequences(a.entries()), "RoundRobin puts the odd sequences in lane A");
        assertEquals(List.of(2L, 4L, 6L, 8L, 10L), sequences(b.entries()), "and the even ones in lane B");
        assertEquals(5, a.blocks().size(), "each acknowledged entry is a block of its own");
        assertEquals(5, b.blocks().size(), "each acknowledged entry is a block of its own");
        return new Crash(laneA, laneB, a, b);
    }

    private static byte[] lose6(final Segment b, final Loss loss)
    {
        final Block six = b.blocks().get(2);
        assertEquals(6, six.firstSequence());
        switch (loss)
        {
            case TRUNCATED_AT_THE_BLOCK_OF_6:
                return Arrays.copyOf(b.bytes(), (int)six.offset());
            case ZEROS_FROM_THE_BLOCK_OF_6:
            {
                final byte[] bytes = b.bytes().clone();
                Arrays.fill(bytes, (int)six.offset(), bytes.length, (byte)0);
                return bytes;
            }
            case TORN_INSIDE_THE_BLOCK_OF_6:
            default:
                return Arrays.copyOf(b.bytes(), (int)((six.offset() + six.end()) / 2));
        }
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("lossesInBothIoModes")
    void entriesOfOneLaneAfterASequenceTheOtherLaneLostAreDroppedAndTheNextAppendFillsTheGap(
        final IoMode ioMode, final Loss loss)
    {
        final Crash crash = crash(ioMode);
        write(crash.fileB(), lose6(crash.b(), loss));
        final List<WalRecord> acknowledged = new ArrayList<>(crash.a().entries().subList(0, 3));
        acknowledged.addAll(crash.b().entries().subList(0, 2));
        acknowledged.sort((x, y) -> Long.compare(x.sequence(), y.sequence()));

        recoverAndCheck(ioMode, crash, acknowledged);
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void aGapInsideABlockOfTheOtherLaneKeepsOnlyTheEntriesOfThatBlockBeforeTheGap(final Codec codec)
    {
        // Lane A's writer may take 5 and 7 in one batch (both published before it woke up), making one
        // block [5, 7]. Built here by merging lane A's blocks [5] and [7] into one valid block: recovery
        // must rewrite that block keeping 5 alone.
        final Crash crash = crash(IoMode.pwrite, codec);
        final byte[] merged = mergeBlocks(crash.a(), 2, 3);
        write(crash.fileA(), merged);
        final Segment a = parse(crash.fileA());
        assertEquals(List.of(1L, 3L, 5L, 7L, 9L), sequences(a.entries()));
        assertEquals(List.of(5L, 7L), sequences(a.blocks().get(2).entries()), "5 and 7 share a block");
        write(crash.fileB(), lose6(crash.b(), Loss.TRUNCATED_AT_THE_BLOCK_OF_6));
        final List<WalRecord> acknowledged = new ArrayList<>(a.entries().subList(0, 3));
        acknowledged.addAll(crash.b().entries().subList(0, 2));
        acknowledged.sort((x, y) -> Long.compare(x.sequence(), y.sequence()));

        final Crash edited = new Crash(crash.laneA(), crash.laneB(), a, crash.b());
        recoverAndCheck(IoMode.pwrite, edited, acknowledged);

        // invariant 6: the rewritten segment is still a standard Avro container file
        final Path sealedA = crash.laneA().resolve(COLLECTION).resolve(SegmentNames.sealed(1, 5));
        final Segment resealed = parse(sealedA);
        assertEquals(List.of(5L), sequences(resealed.lastBlock().entries()), "7 is cut out of the shared block");
        assertEquals(List.of(1L, 3L, 5L), stockAvroSequences(sealedA));
    }

    /**
     * The shared checks: read-only inspection first, then recovery.
     *
     * @param acknowledged the entries 1..5 as written.
     */
    private void recoverAndCheck(final IoMode ioMode, final Crash crash, final List<WalRecord> acknowledged)
    {
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), sequences(acknowledged));
        final WalOptions options = options(ioMode, crash.laneA(), crash.laneB());

        // a read-only look at the crashed lanes sees what recovery will keep, and changes nothing
        final Map<String, String> beforeA = snapshot(crash.laneA());
        final Map<String, String> beforeB = snapshot(crash.laneB());
        try (WalReader reader = WalReader.open(options))
        {
            assertSameRecords(acknowledged, drain(reader.replay(COLLECTION, 1)), "WalReader on the crashed lanes");
            assertEquals(5, reader.lastSequence(COLLECTION));
            assertTrue(reader.notes().stream().anyMatch(n -> n.contains("sequence 6")),
                "the reader tells of the gap: " + reader.notes());
        }
        final WalVerifier.Report crashed = WalVerifier.verify(options);
        assertTrue(crashed.clean(), "a gap in active segments after a crash is the normal state, not corruption: " +
            crashed.findings());
        assertEquals(beforeA, snapshot(crash.laneA()), "reading and verifying change nothing in lane A");
        assertEquals(beforeB, snapshot(crash.laneB()), "reading and verifying change nothing in lane B");

        final Path dirA = crash.laneA().resolve(COLLECTION);
        final Path dirB = crash.laneB().resolve(COLLECTION);
        try (Wal wal = Wal.open(options))
        {
            assertTrue(wal.recoveryNotes().stream().anyMatch(n -> n.contains("sequence 6")),
                "recovery tells of the gap: " + wal.recoveryNotes());
            assertSameRecords(acknowledged, replayAll(wal), "replay after recovery");

            assertEquals(List.of(SegmentNames.sealed(1, 5)), names(dirA), "lane A is cut after 5 and sealed");
            assertEquals(List.of(SegmentNames.sealed(2, 4)), names(dirB), "lane B is cut after 4 and sealed");
            assertEquals(List.of(1L, 3L, 5L), sequences(assertOnlySealedSegmentsMatchingTheirNames(dirA)));
            assertEquals(List.of(2L, 4L), sequences(assertOnlySealedSegmentsMatchingTheirNames(dirB)));
            assertTrue(WalVerifier.verify(options).clean(), WalVerifier.verify(options).findings().toString());

            final WalCollection c = wal.collection(COLLECTION);
            assertEquals(5, c.lastSequence());
            final long next = c.append(entry(new Entry(), 6));
            assertEquals(6, next, "the next append fills the gap");
            c.awaitAcknowledged(next);
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), sequences(replayAll(wal)));
        }
        final List<Long> all = new ArrayList<>(sequences(assertOnlySealedSegmentsMatchingTheirNames(dirA)));
        all.addAll(sequences(assertOnlySealedSegmentsMatchingTheirNames(dirB)));
        all.sort(null);
        assertEquals(LongStream.rangeClosed(1, 6).boxed().toList(), all, "every sequence once, in one lane");
        final WalVerifier.Report after = WalVerifier.verify(options);
        assertTrue(after.clean(), after.findings().toString());

        // the dropped 7 and 9 stay dropped: a second open sees 1..6 and goes on with 7
        try (Wal wal = Wal.open(options))
        {
            final List<WalRecord> replayed = replayAll(wal);
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), sequences(replayed));
            assertSameRecords(acknowledged, replayed.subList(0, 5), "1..5 after the second open");
            assertEquals(7, wal.collection(COLLECTION).append(entry(new Entry(), 7)));
        }
    }

    /**
     * @return the bytes of {@code segment} with its blocks {@code first} and {@code first + 1} made one.
     */
    private static byte[] mergeBlocks(final Segment segment, final int first, final int second)
    {
        final Block x = segment.blocks().get(first);
        final Block y = segment.blocks().get(second);
        assertEquals(x.end(), y.offset(), "adjacent blocks");
        final byte[] bytes = segment.bytes();
        final ByteArrayOutputStream entries = new ByteArrayOutputStream();
        entries.writeBytes(x.entryBytes());
        entries.writeBytes(y.entryBytes());
        final byte[] body = SegmentSurgery.blockBody(segment.codec(), entries.toByteArray());
        final byte[] header = new byte[SegmentFormat.MAX_BLOCK_HEADER];
        final int headerLength = SegmentFormat.encodeBlockHeader(
            x.entries().size() + y.entries().size(), body.length, header);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(bytes, 0, (int)x.offset());
        out.write(header, 0, headerLength);
        out.writeBytes(body);
        out.write(segment.sync(), 0, SegmentFormat.SYNC_SIZE);
        out.write(bytes, (int)y.end(), bytes.length - (int)y.end());
        return out.toByteArray();
    }

    private static List<Long> stockAvroSequences(final Path file)
    {
        final List<Long> sequences = new ArrayList<>();
        try (DataFileReader<GenericRecord> reader = new DataFileReader<>(file.toFile(), new GenericDatumReader<>()))
        {
            for (final GenericRecord record : reader)
            {
                sequences.add((Long)record.get("sequence"));
            }
        }
        catch (final IOException ex)
        {
            throw new AssertionError("stock Avro cannot read " + file, ex);
        }
        return sequences;
    }

    /**
     * The power-loss test found this state: the lane that lost a sequence holds nothing else (its one
     * active segment's header never reached the disk), so only the other lane's files show the
     * collection. {@code verify} must call the hole what recovery does (an unacknowledged tail after a
     * lost sequence), not corruption.
     */
    @Test
    void shouldVerifyCleanWhenTheLaneThatLostASequenceHasNothingLeftButAHeaderlessSegment() throws IOException
    {
        final Crash crash = crash(IoMode.pwrite);
        write(crash.fileB(), new byte[8192]);                     // lane B's only file: header lost at power loss
        final WalOptions options = options(IoMode.pwrite, crash.laneA(), crash.laneB());
        final WalVerifier.Report report = WalVerifier.verify(options);
        assertTrue(report.clean(), report.findings().toString());
        assertTrue(report.findings().stream().anyMatch(f -> f.problem().contains("lost before it was durable")),
            report.findings().toString());
        try (Wal wal = Wal.open(options))
        {
            assertEquals(List.of(1L), sequences(replayAll(wal)), "2 was lost, so 3, 5, 7, 9 were never acknowledged");
            assertEquals(2L, wal.collection(COLLECTION).append(entry(new Entry(), 2)));
        }
    }
}
