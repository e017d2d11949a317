package dev.spindle.wal.internal.segment;

import dev.spindle.wal.WalVerifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariant 5 for the verifier: what it allocates follows the entries it reads, not the sequence numbers they
 * carry. A segment of two entries, sequences 1 and 2,000,000,000, made it allocate a 250 MB bitmap (an
 * OutOfMemoryError in a small heap; the fuzz targets run with 256 MB).
 */
class FarApartSequencesTest
{
    @TempDir
    Path dir;

    @Test
    void shouldVerifyASegmentOfFarApartSequencesInMemoryOfItsSize() throws IOException
    {
        final Path collectionDir = Files.createDirectories(dir.resolve(SegmentFiles.COLLECTION));
        final Path file = new SegmentFiles(collectionDir, 1).blockOf(1, 2_000_000_000L).segment.path();
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        WalVerifier.verifySegments(List.of(file));                 // warm-up: classes, the schema

        final long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        final WalVerifier.Report report = WalVerifier.verifySegments(List.of(file));
        final long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;

        assertTrue(allocated < 16 << 20, "verify of a " + Files.size(file) + "-byte segment allocated " + allocated +
            " bytes");
        assertEquals(2, report.entries());
        assertEquals(List.of("collection docs: sequence 2 was lost before it was durable; the later entries in " +
            "active segments were never acknowledged and recovery drops them"),
            report.findings().stream().map(WalVerifier.Finding::problem).toList(), report.toString());
    }
}
