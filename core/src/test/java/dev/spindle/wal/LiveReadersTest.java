package dev.spindle.wal;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static dev.spindle.wal.SegmentSurgery.drain;
import static dev.spindle.wal.SegmentSurgery.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariant 8: readers next to a live writer ({@link WalReader} replay and stats, {@link WalVerifier}) see a
 * consistent prefix and report no damage, while the writer seals segments (64 KiB, so every few
 * milliseconds) in two lanes and checkpoints free old ones. Before, a reader listed a directory and then opened an active segment that the
 * writer had sealed (renamed) meanwhile, and failed with "cannot read the WAL"; and verify, reading the lanes
 * one after another, reported sequences that one lane received after it was read as missing.
 */
class LiveReadersTest
{
    private static final int READS = 100;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void readersNextToALiveWriterSeeAConsistentPrefixAndNoDamage(final boolean affinity) throws Exception
    {
        final WalOptions options = SegmentSurgery.options(SyncMode.PerBatch, IoMode.pwrite, dir.resolve("a"),
            dir.resolve("b"))
            .collectionAffinity(affinity)
            .distributionStrategy(DistributionStrategy.RoundRobin)
            .build();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        try (Wal wal = Wal.open(options))
        {
            final Thread writer = new Thread(() ->
            {
                try
                {
                    final Entry e = new Entry();
                    final WalCollection[] collections = {wal.collection("c0"), wal.collection("c1")};
                    for (long i = 1; !stop.get(); i++)
                    {
                        for (final WalCollection c : collections)
                        {
                            c.append(entry(e, i));
                        }
                        if (i % 64 == 0)
                        {
                            for (final WalCollection c : collections)
                            {
                                c.awaitAcknowledged(c.lastSequence(), 10, TimeUnit.SECONDS);
                            }
                        }
                        if (i % 1024 == 0 && i > 2048)
                        {
                            for (final WalCollection c : collections)
                            {
                                c.checkpoint(i - 2048);    // keeps the WAL small; readers see segments freed too
                            }
                        }
                    }
                }
                catch (final Throwable t)
                {
                    writerFailure.set(t);
                }
            }, "live-writer");
            writer.start();
            try
            {
                for (int read = 0; read < READS; read++)
                {
                    try (WalReader reader = WalReader.open(options))
                    {
                        for (final String name : List.of("c0", "c1"))
                        {
                            final long from = reader.checkpoint(name) + 1;
                            final List<WalRecord> records;
                            try
                            {
                                records = drain(reader.replay(name, from));
                            }
                            catch (final WalException ex)
                            {
                                // what a checkpoint frees while replay reads it may be recycled, and replay says so
                                assertTrue(ex.getMessage().contains("freed by a checkpoint") &&
                                    wal.collection(name).checkpointSequence() >= from, "read " + read + ": " + ex);
                                continue;
                            }
                            long expect = -1;
                            for (final WalRecord r : records)
                            {
                                // a checkpoint may free segments while the replay opens them: below it, a gap is fine
                                if (expect >= 0 && r.sequence() != expect)
                                {
                                    final long checkpoint = wal.collection(name).checkpointSequence();
                                    assertTrue(r.sequence() - 1 <= checkpoint, "read " + read + ": " + name +
                                        " replays " + r.sequence() + " after " + (expect - 1) + ", above the checkpoint " +
                                        checkpoint);
                                }
                                expect = r.sequence() + 1;
                            }
                        }
                        reader.stats();
                    }
                    final WalVerifier.Report report = WalVerifier.verify(options);
                    assertTrue(report.clean(), "read " + read + ": verify next to a live writer: " + report.findings());
                }
            }
            finally
            {
                stop.set(true);
                writer.join(TimeUnit.SECONDS.toMillis(30));
            }
            assertNull(writerFailure.get(), "the writer ran without failing");
        }
    }
}
