package dev.spindle.wal;

import dev.spindle.wal.internal.segment.SegmentNames;
import dev.spindle.wal.internal.segment.SegmentReader;
import dev.spindle.wal.internal.segment.SegmentSearch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.spindle.wal.SegmentSurgery.COLLECTION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compressed segments a reader must read whole whatever its heap, and a damaged header over compressible blocks; each
 * failed before a review's fix.
 *
 * <ol>
 * <li>{@link #anAcknowledgedEntryLargerThanAnEighthOfTheHeapSurvivesARestart}: readers once refused a block larger than
 * an eighth of their heap, one the writer itself wrote and acknowledged (default options, one entry under
 * max_entry_size_bytes, a JVM with -Xmx112m); recovery called it a torn tail and cut it.</li>
 * <li>{@link #aStrictOpenNeverDeletesAnAcknowledgedBlockLargerThanASixteenthOfTheHeap}: the search of a segment with an
 * unreadable header was bounded by a sixteenth of the heap, so a larger acknowledged block was "not a block" and a
 * strict open deleted the segment.</li>
 * <li>{@link #aLenientOpenSetsAsideACompressibleSegmentWithADamagedHeader}: that search's budget counted decompressed
 * bytes, which a genuine compressible segment exceeds; the lenient open failed instead of setting the file aside.</li>
 * </ol>
 */
class CompressedRecoveryTest
{
    @TempDir
    Path dir;

    private static WalOptions.Builder options(final Path lane, final RecoveryMode mode, final long maxEntry)
    {
        final WalOptions.Builder b = WalOptions.builder().walUrls(lane.toString()).syncMode(SyncMode.PerBatch)
            .codec(Codec.ZSTANDARD).recoveryMode(mode);     // otherwise the defaults
        return maxEntry > 0 ? b.maxEntrySizeBytes((int)maxEntry) : b;
    }

    /** Append one acknowledged entry per payload size (zeros), copy the lane while open (kill -9), close. */
    private static Path crashImage(final Path live, final Path image, final long maxEntry, final int... payloads)
    {
        try (Wal wal = Wal.open(options(live, RecoveryMode.strict, maxEntry).build()))
        {
            final WalCollection c = wal.collection(COLLECTION);
            final Entry e = new Entry();
            for (final int payload : payloads)
            {
                c.awaitAcknowledged(c.append(e.clear().key("k".getBytes(StandardCharsets.UTF_8))
                    .value(new byte[payload])));
            }
            SegmentSurgery.copyTree(live, image);
        }
        return SegmentSurgery.onlyFile(image.resolve(COLLECTION), SegmentNames.OPEN_SUFFIX);
    }

    // ---------------------------------------------------------------------------------------------- 1 and 2 (child JVM)

    /** Runs {@code scenario} of {@link Child} in a JVM with -Xmx112m; asserts it exits 0. */
    private void inSmallHeap(final String scenario) throws Exception
    {
        final String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        final Path out = dir.resolve(scenario + ".log");
        final Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx112m", "-cp", cp, Child.class.getName(), scenario, dir.resolve(scenario).toString())
            .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "child timed out");
        final String log = Files.readString(out);
        final String tail = log.substring(Math.max(0, log.length() - 4000));
        assertEquals(0, p.exitValue(), tail);
    }

    @Test
    void anAcknowledgedEntryLargerThanAnEighthOfTheHeapSurvivesARestart() throws Exception
    {
        inSmallHeap("restart");
    }

    @Test
    void aStrictOpenNeverDeletesAnAcknowledgedBlockLargerThanASixteenthOfTheHeap() throws Exception
    {
        inSmallHeap("search");
    }

    public static final class Child
    {
        public static void main(final String[] args) throws Exception
        {
            final Path root = Path.of(args[1]);
            final long share = Math.max(8L << 20, Runtime.getRuntime().maxMemory() / 8);    // the old heap bound
            System.out.println("maxMemory " + Runtime.getRuntime().maxMemory() + ", heap share " + share);
            if (args[0].equals("restart"))
            {
                final int payload = (16 << 20) - 4096;      // under the default max_entry_size_bytes (16 MiB)
                final long maxEntry = 0;                    // every option at its default
                final Path image = root.resolve("image");
                crashImage(root.resolve("live"), image, maxEntry, 1000, payload);
                try (Wal wal = Wal.open(options(image, RecoveryMode.strict, maxEntry).build()))
                {
                    System.out.println("notes: " + wal.recoveryNotes());
                    final List<Long> sequences = SegmentSurgery.sequences(SegmentSurgery.replayAll(wal));
                    if (!sequences.equals(List.of(1L, 2L)))
                    {
                        System.out.println("FAIL: acknowledged entries 1 and 2 (a " + payload + "-byte entry, " +
                            "max_entry_size_bytes " + maxEntry + "), a restart replays " + sequences);
                        System.exit(1);
                    }
                }
            }
            else
            {
                final int payload = (int)(share / 2 + (1 << 20));    // < share: reads fine; > the search's bound
                final Path image = root.resolve("image");
                final Path file = crashImage(root.resolve("live"), image, 0, payload);
                SegmentSurgery.write(file, SegmentSurgery.flip(SegmentSurgery.read(file), 1, 0x01));   // damaged header
                try (Wal wal = Wal.open(options(image, RecoveryMode.strict, 0).build()))
                {
                    System.out.println("FAIL: a strict open went on; notes: " + wal.recoveryNotes() +
                        "; segment exists: " + Files.exists(file));
                    System.exit(1);
                }
                catch (final CorruptSegmentException expected)
                {
                    System.out.println("ok: " + expected);
                }
            }
            System.exit(0);
        }
    }

    // ------------------------------------------------------------------------------------------------------------ 3

    @Test
    void aLenientOpenSetsAsideACompressibleSegmentWithADamagedHeader() throws IOException
    {
        final int[] payloads = new int[100];
        java.util.Arrays.fill(payloads, 1 << 20);       // 100 acknowledged entries of a MiB of zeros, one block each
        final Path file = crashImage(dir.resolve("live"), dir.resolve("image"), 0, payloads);
        SegmentSurgery.write(file, SegmentSurgery.flip(SegmentSurgery.read(file), 1, 0x01));
        final Path copy = Files.copy(file, dir.resolve("copy.open"));
        try (SegmentReader reader = new SegmentReader(copy))
        {
            // a genuine segment: the search names its highest sequence
            assertEquals(100, SegmentSearch.highestSequence(reader, COLLECTION, 1));
        }
        final List<String> notes = new ArrayList<>();
        try (Wal wal = Wal.open(options(dir.resolve("image"), RecoveryMode.lenient, 0).build()))
        {
            notes.addAll(wal.recoveryNotes());
        }
        catch (final RuntimeException ex)
        {
            throw new AssertionError("a lenient open of a genuine segment with a damaged header fails: " + ex, ex);
        }
        assertTrue(notes.stream().anyMatch(n -> n.contains("setting aside")), notes.toString());
    }
}
