package dev.spindle.wal.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.spindle.wal.CorruptSegmentException;
import dev.spindle.wal.WalReader;
import dev.spindle.wal.WalRecord;
import dev.spindle.wal.WalVerifier;
import dev.spindle.wal.internal.segment.SegmentNames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariant 5 for segment files, by fuzzing: any bytes, read as an active ({@code .open}) and as a sealed
 * ({@code .avro}) segment by the reader behind {@code spindle dump} ({@link WalReader#readSegment}) and by the
 * verifier ({@link WalVerifier#verifySegments}), give entries in increasing order and an end inside the file, or a
 * {@link CorruptSegmentException} naming the file and a byte offset in it; the verifier reports, never throws, and
 * never passes a sealed segment the reader found damaged. Each input is read twice: as it is, and with the
 * CRC32C of every whole entry made right ({@link CrcFixup}), so that mutations reach past the checksums.
 *
 * <p>Seeds: real segments in {@code SegmentFuzzTestInputs/segmentFile} (written by {@link FuzzSeeds}), plus
 * every input that once failed. {@code ./mvnw verify} replays them all and then fuzzes this target for a bounded
 * time (see the README, "Fuzzing").
 */
class SegmentFuzzTest
{
    private static final String UNREADABLE_HEADER = "unreadable header";

    @TempDir
    Path tempDir;

    private Path dir;

    @BeforeEach
    void createScratch() throws IOException
    {
        dir = FuzzChecks.scratch(tempDir);
    }

    @AfterEach
    void deleteScratch()
    {
        FuzzChecks.deleteTree(dir);
    }

    @FuzzTest(maxDuration = "30s")
    @Timeout(FuzzChecks.INPUT_TIMEOUT_SECONDS)
    void segmentFile(final byte[] bytes) throws IOException
    {
        if (bytes.length > FuzzChecks.MAX_INPUT_BYTES)
        {
            return;
        }
        final Path collectionDir = dir.resolve("c");
        read(collectionDir, bytes);
        final byte[] fixed = CrcFixup.fix(bytes);
        if (!Arrays.equals(fixed, bytes))
        {
            read(collectionDir, fixed);
        }
    }

    private static void read(final Path collectionDir, final byte[] bytes) throws IOException
    {
        FuzzChecks.deleteTree(collectionDir);
        Files.createDirectories(collectionDir);
        final Path first = collectionDir.resolve(SegmentNames.open(1));
        Files.write(first, bytes);
        final List<WalRecord> records = new ArrayList<>();
        final String problem = dump(first, bytes.length, records);

        // name the file as its entries say, so that the verifier's checks of names get past the first one
        final long firstSequence = records.isEmpty() ? 1 : Math.max(1, records.get(0).sequence());
        final long lastSequence = records.isEmpty() ? firstSequence :
            Math.max(firstSequence, records.get(records.size() - 1).sequence());
        final Path open = collectionDir.resolve(SegmentNames.open(firstSequence));
        if (!open.equals(first))
        {
            Files.move(first, open);
        }
        verify(open, problem, false);

        final Path sealed = collectionDir.resolve(SegmentNames.sealed(firstSequence, lastSequence));
        Files.write(sealed, bytes);
        final String sealedProblem = dump(sealed, bytes.length, new ArrayList<>());
        assertEquals(problem, sealedProblem, "the name changed how far the blocks read as whole");
        verify(sealed, sealedProblem, true);
    }

    /**
     * @return why the blocks stop before the end of the file ({@link #UNREADABLE_HEADER} when the header is
     *     refused), or null when the file is all whole blocks.
     */
    private static String dump(final Path file, final long size, final List<WalRecord> records) throws IOException
    {
        final WalReader.SegmentEnd end;
        try
        {
            end = WalReader.readSegment(file, records::add);
        }
        catch (final CorruptSegmentException ex)
        {
            FuzzChecks.namesFile(ex, file, size);
            assertTrue(records.isEmpty(), "entries handed out before the header was refused");
            return UNREADABLE_HEADER;
        }
        assertEquals(size, end.fileBytes(), () -> "file size of " + end);
        assertTrue(end.validBytes() > 0 && end.validBytes() <= size, () -> "whole blocks end outside the file: " + end);
        assertEquals(SegmentNames.parseSealed(file.getFileName().toString()) != null, end.sealed());
        if (end.whole())
        {
            assertEquals(size, end.validBytes(), () -> "whole, but the blocks end before the file: " + end);
            assertEquals(-1, end.problemOffset(), () -> "whole, with a problem offset: " + end);
        }
        else
        {
            assertTrue(end.problemOffset() >= end.validBytes() && end.problemOffset() <= size,
                () -> "problem offset outside the damaged part of the file: " + end);
        }
        long previous = Long.MIN_VALUE;
        for (final WalRecord r : records)
        {
            assertTrue(r.sequence() > previous, () -> "sequences do not increase: " + records);
            assertEquals(records.get(0).collection(), r.collection(), "one segment holds one collection");
            previous = r.sequence();
        }
        return end.problem();
    }

    /**
     * The verifier reads what the reader read: a file whose blocks stop early, other than at the zeros of an
     * active segment's preallocated space, is a finding; in a sealed segment an error.
     */
    private static void verify(final Path file, final String problem, final boolean sealed)
    {
        final WalVerifier.Report report = WalVerifier.verifySegments(List.of(file));
        FuzzChecks.findingsInside(report, file.getParent());
        if (problem != null && (sealed || !"zeros".equals(problem)))
        {
            assertFalse(report.findings().isEmpty(), () -> file + " is damaged, the verifier found nothing");
            if (sealed)
            {
                assertFalse(report.clean(), () -> "a damaged sealed segment passed verify: " + report);
            }
        }
    }
}
