package dev.spindle.wal.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.spindle.wal.CorruptSegmentException;
import dev.spindle.wal.Entry;
import dev.spindle.wal.RecoveryMode;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.Wal;
import dev.spindle.wal.WalCollection;
import dev.spindle.wal.WalException;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.WalReader;
import dev.spindle.wal.WalReplay;
import dev.spindle.wal.WalVerifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariants 3 and 5 for recovery, by fuzzing: a lane whose collection directory holds up to three fuzzed
 * segment files (active, sealed, set aside) and maybe a checkpoint file ({@link LaneImage} says how an input
 * becomes files) is verified ({@link WalVerifier#verify}), read offline ({@link WalReader}) and opened for writing
 * ({@link Wal#open}, strict or lenient, pwrite or mmap), replayed, appended to, closed and maybe opened again
 * (it must replay the same). Each step succeeds or
 * ends in a {@link WalException} naming a file of the lane (a corrupt segment's with a byte offset inside it);
 * replay gives increasing sequences, in strict mode without a gap above the checkpoint unless a file was set
 * aside; the sequence handed out next is above every replayed one. Anything else, a hang or a JVM crash
 * included (an out-of-bounds read of a mapping is a SIGBUS), is a finding.
 *
 * <p>Seeds: crash images and closed lanes of real WAL runs in {@code RecoveryFuzzTestInputs/laneDirectory}
 * (written by {@link FuzzSeeds}), plus every input that once failed.
 */
class RecoveryFuzzTest
{
    private static final String COLLECTION = "c";

    @TempDir
    Path tempDir;

    private Path dir;

    private long runs;

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
    void laneDirectory(final byte[] input) throws IOException
    {
        if (input.length > FuzzChecks.MAX_INPUT_BYTES)
        {
            return;
        }
        final LaneImage image = LaneImage.parse(input);
        final Path lane = dir.resolve("lane-" + runs++);
        try
        {
            image.writeTo(lane.resolve(COLLECTION));
            final WalOptions options = options(lane, image);
            FuzzChecks.findingsInside(WalVerifier.verify(options), lane);
            readOffline(options, lane, image);
            final List<Long> recovered = recover(options, lane, image);
            if (image.reopen() && recovered != null)
            {
                reopen(options, recovered);
            }
        }
        finally
        {
            FuzzChecks.deleteTree(lane);
        }
    }

    private static WalOptions options(final Path lane, final LaneImage image)
    {
        return WalOptions.builder()
            .walUrls(List.of(lane.toString()))
            .syncMode(SyncMode.PerBatch)
            .ioMode(image.ioMode())
            .recoveryMode(image.recoveryMode())
            .diskSegmentSizeBytes(WalOptions.MIN_SEGMENT_SIZE)
            .preallocateChunkBytes(WalOptions.MIN_SEGMENT_SIZE)
            .segmentMaxAgeMs(0)
            .ringBufferSize(64)
            .syncParallelism(1)
            .build();
    }

    private static void readOffline(final WalOptions options, final Path lane, final LaneImage image)
    {
        try (WalReader reader = WalReader.open(options))
        {
            for (final String collection : reader.collections())
            {
                try (WalReplay replay = reader.replay(collection, 1))
                {
                    FuzzChecks.drain(replay, collection, contiguousAbove(image, reader.checkpoint(collection)));
                }
            }
        }
        catch (final WalException ex)
        {
            FuzzChecks.namesFile(ex, lane, maxOffset(ex, image));
        }
    }

    /**
     * @return the sequences replayed above the checkpoint, then the one appended; null when the open was refused.
     */
    private static List<Long> recover(final WalOptions options, final Path lane, final LaneImage image)
    {
        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection(COLLECTION);
            final List<Long> sequences = new ArrayList<>();
            final long last;
            try (WalReplay replay = c.replay(1))
            {
                last = FuzzChecks.drain(replay, COLLECTION, contiguousAbove(image, c.checkpointSequence()), sequences);
            }
            final long next = c.append(new Entry().value("after recovery".getBytes(StandardCharsets.UTF_8)));
            assertTrue(next > last, () -> "sequence " + next + " handed out again (replay reached " + last + ")");
            c.awaitAcknowledged(next);
            sequences.add(next);
            final long checkpoint = c.checkpointSequence();
            sequences.removeIf(s -> s <= checkpoint);
            return sequences;
        }
        catch (final WalException ex)
        {
            FuzzChecks.namesFile(ex, lane, maxOffset(ex, image));
            return null;
        }
    }

    /** A WAL that Spindle recovered and closed opens again (in the same mode) and replays the same. */
    private static void reopen(final WalOptions options, final List<Long> recovered)
    {
        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection(COLLECTION);
            final List<Long> sequences = new ArrayList<>();
            try (WalReplay replay = c.replay(1))
            {
                FuzzChecks.drain(replay, COLLECTION, -1, sequences);
            }
            final long checkpoint = c.checkpointSequence();
            sequences.removeIf(s -> s <= checkpoint);
            assertEquals(recovered, sequences, "the second open replays other sequences above the checkpoint " +
                checkpoint + " (notes: " + wal.recoveryNotes() + ")");
        }
    }

    /** Strict replay has no gap above the checkpoint, unless an earlier lenient run set a file aside. */
    private static long contiguousAbove(final LaneImage image, final long checkpoint)
    {
        if (image.recoveryMode() == RecoveryMode.lenient ||
            image.files().stream().anyMatch(f -> f.name().endsWith(".corrupt")))
        {
            return -1;
        }
        return Math.max(0, checkpoint);
    }

    /** @return the size of the file a corrupt segment error names, or -1 when it is not one the input made. */
    private static long maxOffset(final WalException ex, final LaneImage image)
    {
        if (ex instanceof CorruptSegmentException)
        {
            final Path file = ((CorruptSegmentException)ex).file();
            return file == null || file.getFileName() == null ? -1 : image.sizeOf(file.getFileName().toString());
        }
        return -1;
    }
}
