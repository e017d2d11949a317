package dev.spindle.cli;

import dev.spindle.wal.DistributionStrategy;
import dev.spindle.wal.Entry;
import dev.spindle.wal.IoMode;
import dev.spindle.wal.Wal;
import dev.spindle.wal.WalCollection;
import dev.spindle.wal.WalException;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.WalRecord;
import dev.spindle.wal.WalReplay;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A disk that dies under a lane (its file system shut down: every operation gets EIO, as from a failing device):
 * the lane is marked failed, appends in flight on it fail with a {@link WalException} instead of waiting,
 * the other lane goes on, {@code stats} names the failure, the dead lane's collection (affinity) moves to the
 * healthy lane and keeps taking appends, and once the disk is back a restart is clean: every entry acknowledged,
 * before the failure and after the move, replays once with its payload, and appending goes on. Needs root (a
 * loop-mounted ext4).
 */
class DeadDiskTest
{
    @TempDir
    Path dir;

    /** An entry whose value holds its sequence and its collection's hash (checked at replay). */
    static Entry entry(final Entry reuse, final String collection, final long sequence)
    {
        final byte[] value = new byte[64];
        ByteBuffer.wrap(value).putLong(sequence).putInt(collection.hashCode());
        return reuse.clear().value(value);
    }

    static long appendAcknowledged(final WalCollection c, final int n)
    {
        final Entry e = new Entry();
        long last = 0;
        for (int i = 0; i < n; i++)
        {
            last = c.append(entry(e, c.name(), c.lastSequence() + 1));
        }
        assertTrue(c.awaitAcknowledged(last, 30, TimeUnit.SECONDS));
        return last;
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void aLaneWhoseDiskDiesFailsItsAppendersAtOnceAndARestartWithTheDiskBackIsClean(final IoMode ioMode)
        throws Exception
    {
        Child.requireRoot("loop devices and mounts need root");
        final Path mount = dir.resolve("disk");
        final String loop = Mounts.ext4(dir.resolve("disk.img"), 128, mount);
        try
        {
            final WalOptions options = WalOptions.builder()
                .walUrls(mount.resolve("lane0").toString(), dir.resolve("lane1").toString())
                .ioMode(ioMode)
                .collectionAffinity(true)
                .distributionStrategy(DistributionStrategy.RoundRobin)
                .diskSegmentSizeBytes(1 << 20)
                .build();
            final Map<String, Long> acknowledged = new HashMap<>();
            String onDeadDisk = null;
            String onLiveDisk = null;
            try (Wal wal = Wal.open(options))
            {
                for (final String name : new String[]{"a", "b"})
                {
                    acknowledged.put(name, appendAcknowledged(wal.collection(name), 3000));
                }
                for (final var lane : wal.stats().lanes())
                {
                    for (final var c : lane.collections())
                    {
                        if (lane.index() == 0)
                        {
                            onDeadDisk = c.collection();
                        }
                        else
                        {
                            onLiveDisk = c.collection();
                        }
                    }
                }
                assertNotNull(onDeadDisk, "RoundRobin with affinity puts one collection on each lane");
                assertNotNull(onLiveDisk);

                Mounts.shutdownWithoutFlush(mount);    // the disk dies: EIO from now on

                final WalCollection dead = wal.collection(onDeadDisk);
                final WalException failed = assertThrows(WalException.class, () ->
                {
                    for (int i = 0; i < 100_000; i++)
                    {
                        dead.awaitAcknowledged(dead.append(entry(new Entry(), dead.name(), dead.lastSequence() + 1)),
                            30, TimeUnit.SECONDS);
                    }
                }, "appends to a collection of the dead lane fail");
                assertTrue(failed.getMessage().contains("lane 0"), failed.getMessage());
                assertNotNull(wal.stats().lanes().get(0).failure(), "stats names the failed lane");
                assertNull(wal.stats().lanes().get(1).failure(), "the other lane is healthy");
                // with affinity the dead lane's collection moves to the healthy lane at its next append, and its
                // sequences go on after the last one the dead lane made durable
                final long resume = dead.acknowledgedSequence() + 1;    // the failed append's sequence is reused
                assertEquals(resume, dead.append(entry(new Entry(), dead.name(), resume)));
                acknowledged.put(onDeadDisk, appendAcknowledged(dead, 1000));
                final String moved = onDeadDisk;
                assertTrue(wal.stats().lanes().get(1).collections().stream()
                    .anyMatch(c -> c.collection().equals(moved)), "the collection now lives on the healthy lane");
                acknowledged.put(onLiveDisk, appendAcknowledged(wal.collection(onLiveDisk), 1000));
            }
            catch (final WalException closing)
            {
                assertTrue(closing.getMessage().contains("lane 0") || closing.getMessage().contains("closing"),
                    closing.getMessage());
            }

            Mounts.unmount(mount);
            Child.sh("mount", loop, mount.toString());    // the disk is back (journal replayed)

            try (Wal wal = Wal.open(options))
            {
                for (final Map.Entry<String, Long> e : acknowledged.entrySet())
                {
                    final WalCollection c = wal.collection(e.getKey());
                    long expect = 1;
                    try (WalReplay replay = c.replay(1))
                    {
                        while (replay.hasNext())
                        {
                            final WalRecord r = replay.next();
                            assertEquals(expect, r.sequence(), e.getKey() + ": no gap");
                            assertEquals(r.sequence(), ByteBuffer.wrap(r.value()).getLong(), e.getKey() + "'s payload");
                            expect++;
                        }
                    }
                    assertTrue(expect - 1 >= e.getValue(), e.getKey() + ": acknowledged up to " + e.getValue() +
                        ", replayed up to " + (expect - 1));
                    appendAcknowledged(c, 10);    // and it goes on
                }
            }
        }
        finally
        {
            Mounts.unmount(mount);
            Mounts.detach(loop);
        }
    }
}
