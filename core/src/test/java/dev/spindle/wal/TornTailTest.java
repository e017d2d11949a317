package dev.spindle.wal;

import dev.spindle.wal.SegmentSurgery.Block;
import dev.spindle.wal.SegmentSurgery.Segment;
import dev.spindle.wal.internal.segment.SegmentNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static dev.spindle.wal.SegmentSurgery.COLLECTION;
import static dev.spindle.wal.SegmentSurgery.assertSameRecords;
import static dev.spindle.wal.SegmentSurgery.deleteTree;
import static dev.spindle.wal.SegmentSurgery.entry;
import static dev.spindle.wal.SegmentSurgery.names;
import static dev.spindle.wal.SegmentSurgery.parse;
import static dev.spindle.wal.SegmentSurgery.read;
import static dev.spindle.wal.SegmentSurgery.replayAll;
import static dev.spindle.wal.SegmentSurgery.write;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariant 3, the torn-tail half: an active segment cut (or garbled) anywhere inside its last block
 * — what a crash leaves when the last batch was not yet durable — recovers to exactly the blocks before
 * it, silently (a note, no error), in strict mode, with every codec. In the style of Kafka's LogSegmentTest: one
 * template segment, truncated at every byte offset of its last block.
 */
class TornTailTest
{
    @TempDir
    Path dir;

    private int runs;

    /**
     * Write three acknowledged batches (so at least three blocks) into one active segment and capture
     * it as a crash would leave it: the WAL is still open while the lane is copied.
     */
    private Segment crashedSegment(final IoMode ioMode)
    {
        return crashedSegment(ioMode, Codec.NULL);
    }

    private Segment crashedSegment(final IoMode ioMode, final Codec codec)
    {
        final Segment segment = parse(SegmentSurgery.crashImage(dir.resolve("live-" + runs), dir.resolve("image-" + runs),
            ioMode, codec, 3, 2, 3));
        assertEquals(codec, segment.codec());
        assertEquals(SegmentNames.open(1), segment.name());
        assertTrue(segment.blocks().size() >= 3, "one block per acknowledged batch at least: " + segment.blocks());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L), SegmentSurgery.sequences(segment.entries()));
        if (ioMode == IoMode.pwrite)
        {
            assertEquals(segment.bytes().length, segment.writtenEnd(), "pwrite files end with the last block");
        }
        return segment;
    }

    /** What recovering a damaged copy of the segment must give. */
    private record Expected(List<WalRecord> entries, long cut)
    {
    }

    /**
     * Put {@code bytes} as the only active segment of a fresh lane, open a WAL on it (strict), and check
     * replay, the sealed file, the next sequence and the directory.
     *
     * @return the recovery notes.
     */
    private List<String> recoverAndCheck(final IoMode ioMode, final Segment template, final byte[] bytes,
        final Expected expected, final String context)
    {
        final Path lane = dir.resolve("run-" + runs++);
        final Path collectionDir = lane.resolve(COLLECTION);
        write(collectionDir.resolve(template.name()), bytes);
        final long lastKept = expected.entries().isEmpty() ? 0 :
            expected.entries().get(expected.entries().size() - 1).sequence();
        final List<String> notes;
        try (Wal wal = Wal.open(SegmentSurgery.options(SyncMode.PerBatch, ioMode, lane).build()))
        {
            notes = List.copyOf(wal.recoveryNotes());
            final List<WalRecord> replayed = replayAll(wal);
            assertSameRecords(expected.entries(), replayed, context + ": replay");

            if (lastKept == 0)
            {
                assertEquals(List.of(), names(collectionDir), context + ": an active segment with no whole block " +
                    "was never durable and is deleted");
            }
            else
            {
                final String sealed = SegmentNames.sealed(1, lastKept);
                assertEquals(List.of(sealed), names(collectionDir), context + ": recovery seals the cut segment");
                assertArrayEquals(Arrays.copyOf(template.bytes(), (int)expected.cut()),
                    read(collectionDir.resolve(sealed)), context + ": the sealed segment is the segment cut after " +
                        "its last whole block");
            }

            final WalCollection c = wal.collection(COLLECTION);
            assertEquals(lastKept, c.lastSequence(), context);
            final long next = c.append(entry(new Entry(), lastKept + 1));
            assertEquals(lastKept + 1, next, context + ": the next append follows the last entry kept");
            c.awaitAcknowledged(next);
        }

        final List<String> expectedNames = new ArrayList<>();
        if (lastKept > 0)
        {
            expectedNames.add(SegmentNames.sealed(1, lastKept));
        }
        expectedNames.add(SegmentNames.sealed(lastKept + 1, lastKept + 1));
        assertEquals(expectedNames, names(collectionDir), context + ": only sealed segments after close");
        assertTrue(WalVerifier.verify(SegmentSurgery.options(SyncMode.PerBatch, ioMode, lane).build()).clean(), context);
        deleteTree(lane);
        return notes;
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.spindle.wal.SegmentSurgery#everyCodecInBothIoModes")
    void aSegmentCutAtAnyByteOfItsLastBlockRecoversExactlyTheWholeBlocksBeforeTheCut(final Codec codec,
        final IoMode ioMode)
    {
        final Segment template = crashedSegment(ioMode, codec);
        final Block last = template.lastBlock();
        final List<WalRecord> beforeLast = template.entriesOfBlocksEndingBy(last.offset());
        for (long cut = last.offset(); cut <= last.end(); cut++)
        {
            final byte[] truncated = Arrays.copyOf(template.bytes(), (int)cut);
            final boolean whole = cut == last.end();
            final Expected expected = whole ? new Expected(template.entries(), last.end()) :
                new Expected(beforeLast, last.offset());
            final List<String> notes = recoverAndCheck(ioMode, template, truncated, expected,
                "truncated at byte " + cut + " (last block " + last.offset() + ".." + last.end() + ")");
            if (cut > last.offset() && !whole)
            {
                assertTrue(notes.stream().anyMatch(n -> n.contains(template.name()) && n.contains("torn")),
                    "a torn tail is cut with a note naming the file: " + notes);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void aMappedSegmentWhoseLastBlockIsPartlyZerosRecoversTheWholeBlocksBeforeIt(final Codec codec)
    {
        // mmap: the rest of a torn page reads as the preallocated zeros, the file keeps its length
        final Segment template = crashedSegment(IoMode.mmap, codec);
        final Block last = template.lastBlock();
        assertTrue(template.bytes().length > last.end(), "the mapped segment is preallocated past its last block");
        final List<WalRecord> beforeLast = template.entriesOfBlocksEndingBy(last.offset());
        for (long from = last.offset(); from <= last.end(); from++)
        {
            final byte[] zeroed = template.bytes().clone();
            Arrays.fill(zeroed, (int)from, (int)last.end(), (byte)0);
            final boolean whole = from == last.end();
            recoverAndCheck(IoMode.mmap, template, zeroed,
                whole ? new Expected(template.entries(), last.end()) : new Expected(beforeLast, last.offset()),
                "zeros from byte " + from + " (last block " + last.offset() + ".." + last.end() + ")");
        }
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.spindle.wal.SegmentSurgery#everyCodecInBothIoModes")
    void aLastBlockOverwrittenWithGarbageFromAnyPointIsATornTail(final Codec codec, final IoMode ioMode)
    {
        final Segment template = crashedSegment(ioMode, codec);
        final Block last = template.lastBlock();
        final List<WalRecord> beforeLast = template.entriesOfBlocksEndingBy(last.offset());
        final long[] starts = {
            last.offset(), last.offset() + 1, last.offset() + 2, last.bodyOffset() + 1,
            (last.offset() + last.end()) / 2, last.end() - 16, last.end() - 8, last.end() - 1};
        final Random random = new Random(42);
        for (final long from : starts)
        {
            final byte[] garbage = template.bytes().clone();
            for (int i = (int)from; i < last.end(); i++)
            {
                garbage[i] = (byte)(garbage[i] ^ (1 + random.nextInt(255))); // always differs from what was there
            }
            recoverAndCheck(ioMode, template, garbage, new Expected(beforeLast, last.offset()),
                "random bytes from " + from + " to the end of the last block (" + last.end() + ")");

            final byte[] zeros = template.bytes().clone();
            Arrays.fill(zeros, (int)from, (int)last.end(), (byte)0);
            if (Arrays.equals(zeros, template.bytes()))
            {
                continue; // those bytes were zeros already (a sync marker byte may be): nothing was damaged
            }
            recoverAndCheck(ioMode, template, zeros, new Expected(beforeLast, last.offset()),
                "zeros from " + from + " to the end of the last block (" + last.end() + ")");
        }
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.spindle.wal.SegmentSurgery#everyCodecInBothIoModes")
    void aSegmentCutInsideItsHeaderWasNeverDurableAndIsDeleted(final Codec codec, final IoMode ioMode)
    {
        // A new segment's header is written but not forced before its first block is (pwrite fsyncs only the
        // directory; mmap's first msync covers the header page), so an active segment whose header is
        // incomplete, with nothing after it, never held an acknowledged entry: a torn tail, not corruption.
        final Segment template = crashedSegment(ioMode, codec);
        final int header = template.headerLength();
        final int[] cuts = {0, 1, 3, 4, 5, header / 2, header - 16, header - 1, header};
        // each case on its own, so that a failure shows every case that fails
        final Stream<Executable> truncated = IntStream.of(cuts).mapToObj(cut -> () ->
            recoverAndCheck(ioMode, template, Arrays.copyOf(template.bytes(), cut), new Expected(List.of(), 0),
                "truncated at byte " + cut + " of a " + header + "-byte header"));
        // the file's length kept and zeros from a sector boundary on: the header page torn at power loss
        final Stream<Executable> zeroed = IntStream.iterate(0, at -> at < header, at -> at + 512).mapToObj(cut -> () -> {
            final byte[] bytes = template.bytes().clone();
            Arrays.fill(bytes, cut, bytes.length, (byte)0);
            recoverAndCheck(ioMode, template, bytes, new Expected(List.of(), 0),
                "zeros from byte " + cut + " of a " + header + "-byte header to the end of the file");
        });
        assertAll(Stream.concat(truncated, zeroed));
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void anActiveSegmentOfZerosWasNeverDurableAndIsDeleted(final IoMode ioMode)
    {
        final Segment template = crashedSegment(ioMode);
        assertAll(IntStream.of(1, 4096, (int)WalOptions.MIN_SEGMENT_SIZE).mapToObj(size -> () ->
            recoverAndCheck(ioMode, template, new byte[size], new Expected(List.of(), 0), size + " zero bytes")));
    }

    @Test
    void anActiveSegmentOfZerosAsLargeAsTheDefaultPreallocationChunkIsDeletedToo()
    {
        // mmap preallocates preallocate_chunk_bytes (4 MiB by default) of zeros right after the header is
        // written; a power loss before the first msync may keep the length but not the header page
        final Segment template = crashedSegment(IoMode.mmap);
        recoverAndCheck(IoMode.mmap, template, new byte[(int)WalOptions.DEFAULT_PREALLOCATE_CHUNK_BYTES],
            new Expected(List.of(), 0), WalOptions.DEFAULT_PREALLOCATE_CHUNK_BYTES + " zero bytes");
    }
}
