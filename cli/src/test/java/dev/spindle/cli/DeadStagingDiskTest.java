package dev.spindle.cli;

import dev.spindle.config.SpindleConfig;
import dev.spindle.testkit.ObjectStoreServer;
import dev.spindle.wal.Entry;
import dev.spindle.wal.IoMode;
import dev.spindle.wal.Wal;
import dev.spindle.wal.WalCollection;
import dev.spindle.wal.WalException;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.WalRecord;
import dev.spindle.wal.WalReplay;
import dev.spindle.wal.WalVerifier;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The staging disk of an S3 lane dies (a loop-mounted ext4 shut down: every operation gets EIO), against S3Mock:
 * the lane is marked failed, its appenders fail with a {@link WalException}, the local lane goes on, {@code stats}
 * names the failure, and with {@code ack = "local"} and affinity the S3 lane's collection moves to the local lane
 * and keeps taking appends; its remote-durable watermark stays below what the dead staging holds and a wait for it
 * fails naming the lane. Once the disk is back a restart is clean: every entry acknowledged, before the failure and
 * after the move, replays once with its payload, everything is uploaded, and appending goes on. Needs root.
 */
class DeadStagingDiskTest
{
    @TempDir
    Path dir;

    private WalOptions options(final ObjectStoreServer server, final Path staging, final IoMode ioMode)
        throws Exception
    {
        final String text = "[storage.wal_config]\n" +
            "wal_urls = [\"" + server.url("dead-staging-" + UUID.randomUUID().toString().substring(0, 8)) + "\", \"" +
            dir.resolve("local") + "\"]\n" +
            "staging_dir = \"" + staging + "\"\n" +
            "io_mode = \"" + ioMode + "\"\n" +
            "distribution_strategy = \"RoundRobin\"\n" +
            "collection_affinity = true\n" +
            "disk_segment_size = \"256 KiB\"\n" +
            "upload_retry_base_ms = 20\n" +
            "upload_retry_max_ms = 400\n" +
            "upload_close_timeout_ms = 2000\n" +
            server.tomlSection() + "\n";
        final Path config = Files.writeString(dir.resolve("wal.toml"), text);
        final Map<String, String> env = new HashMap<>(System.getenv());
        env.putAll(server.environment());
        return SpindleConfig.parse(text, config.toString(), env::get).options();
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void anS3LaneWhoseStagingDiskDiesMovesItsCollectionAndARestartWithTheDiskBackIsClean(final IoMode ioMode)
        throws Exception
    {
        Child.requireRoot("loop devices and mounts need root");
        final ObjectStoreServer server = ObjectStoreServer.shared("s3");
        final Path mount = dir.resolve("disk");
        final String loop = Mounts.ext4(dir.resolve("disk.img"), 128, mount);
        try
        {
            final WalOptions options = options(server, mount.resolve("staging"), ioMode);
            final Map<String, Long> acknowledged = new HashMap<>();
            try (Wal wal = Wal.open(options))
            {
                // RoundRobin with affinity: "a" goes to the S3 lane (lane 0), "b" to the local lane
                for (final String name : new String[]{"a", "b"})
                {
                    acknowledged.put(name, DeadDiskTest.appendAcknowledged(wal.collection(name), 3000));
                }
                assertEquals("a", wal.stats().lanes().get(0).collections().get(0).collection());
                assertEquals("b", wal.stats().lanes().get(1).collections().get(0).collection());

                Mounts.shutdownWithoutFlush(mount);    // the staging disk dies: EIO from now on

                final WalCollection dead = wal.collection("a");
                final WalException failed = assertThrows(WalException.class, () ->
                {
                    for (int i = 0; i < 100_000; i++)
                    {
                        dead.awaitAcknowledged(dead.append(DeadDiskTest.entry(new Entry(), dead.name(), dead.lastSequence() + 1)),
                            30, TimeUnit.SECONDS);
                    }
                }, "appends to the collection of the S3 lane fail");
                assertTrue(failed.getMessage().contains("lane 0"), failed.getMessage());
                assertNotNull(wal.stats().lanes().get(0).failure(), "stats names the failed lane");
                assertNull(wal.stats().lanes().get(1).failure(), "the local lane is healthy");

                // the collection moves to the local lane at its next append, after what the staging made durable
                final long resume = dead.acknowledgedSequence() + 1;
                assertEquals(resume, dead.append(DeadDiskTest.entry(new Entry(), dead.name(), resume)));
                acknowledged.put("a", DeadDiskTest.appendAcknowledged(dead, 1000));
                assertTrue(wal.stats().lanes().get(1).collections().stream()
                    .anyMatch(c -> c.collection().equals("a")), "the collection now lives on the local lane");
                // the dead staging's active segment (acknowledged, fsync'd there) cannot be sealed nor uploaded now
                assertTrue(dead.remoteDurableSequence() < resume - 1, "remote-durable " +
                    dead.remoteDurableSequence() + ", the move at " + resume);
                final WalException notUploaded = assertThrows(WalException.class,
                    () -> dead.awaitRemoteDurable(dead.lastSequence(), 30, TimeUnit.SECONDS));
                assertTrue(notUploaded.getMessage().contains("lane 0"), notUploaded.getMessage());
                acknowledged.put("b", DeadDiskTest.appendAcknowledged(wal.collection("b"), 1000));
            }
            catch (final WalException closing)
            {
                assertTrue(closing.getMessage().contains("closing"), closing.getMessage());
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
                            assertEquals(expect, r.sequence(), e.getKey() + ": no gap, no duplicate");
                            assertEquals(r.sequence(), ByteBuffer.wrap(r.value()).getLong(), e.getKey() + "'s payload");
                            expect++;
                        }
                    }
                    assertTrue(expect - 1 >= e.getValue(), e.getKey() + ": acknowledged up to " + e.getValue() +
                        ", replayed up to " + (expect - 1));
                    assertTrue(c.awaitRemoteDurable(e.getValue(), 60, TimeUnit.SECONDS), e.getKey() + ": the " +
                        "staged segments are uploaded at the open");
                    DeadDiskTest.appendAcknowledged(c, 10);    // and it goes on
                }
                assertTrue(wal.stats().lanes().get(1).collections().stream()
                    .anyMatch(c -> c.collection().equals("a")), "the collection stays on the local lane");
            }
            final WalVerifier.Report report = WalVerifier.verify(options);
            assertTrue(report.clean(), report.toString());
        }
        finally
        {
            Mounts.unmount(mount);
            Mounts.detach(loop);
        }
    }
}
