package dev.spindle.cli;

import dev.spindle.config.SpindleConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariant 1 under power loss: two lanes on a loop-mounted ext4; while a child JVM writes, it is
 * frozen (SIGSTOP: as at a power cut, nothing it does afterwards can be observed), the file system is
 * shut down without flushing its log (everything not fsync'd is dropped, as when power fails), the
 * writer is killed, the file system is mounted again (journal replay), and every entry the
 * writer had acknowledged as durable must replay with its exact payload. The ack log lives on
 * another file system, which is not shut down. Needs root (losetup, mount); CI runs as root.
 */
class PowerLossTest
{
    private static final long SEED = 13;

    @TempDir
    Path dir;

    @Test
    void shouldKeepEveryAcknowledgedEntryWhenUnsyncedDataIsDropped() throws Exception
    {
        Child.requireRoot("loop devices and mounts need root");
        final Path mount = dir.resolve("disk");
        final String loop = Mounts.ext4(dir.resolve("disk.img"), 512, mount);
        final Random random = new Random(42);
        try
        {
            final Path ackLog = dir.resolve("ack.log");
            int roundsWithAcks = 0;
            long acknowledgedBefore = 0;
            for (int round = 0; round < 10; round++)
            {
                final String ioMode = round % 2 == 0 ? "pwrite" : "mmap";
                final Path config = dir.resolve("round" + round + ".toml");
                Files.writeString(config, "[storage.wal_config]\nwal_urls = [\"" + mount.resolve("lane0") + "\", \"" +
                    mount.resolve("lane1") + "\"]\nio_mode = \"" + ioMode + "\"\ncollection_affinity = " +
                    (round % 3 != 2) + "\ndisk_segment_size = \"2 MiB\"\npwrite_preallocate = " + (round % 4 == 2) + "\n");
                final String context = "power loss round " + round + " (" + ioMode + ")";
                final long logged = AckLog.size(ackLog);
                final Child writer = Child.start(dir, "write", "--config", config.toString(), "--collections", "4",
                    "--entries", "100000000", "--entry-size", Integer.toString(100 + random.nextInt(3000)),
                    "--threads", "2", "--seed", Long.toString(SEED), "--ack-log", ackLog.toString(), "--quiet",
                    "--checkpoint-mib", round % 3 == 1 ? "2" : "0");    // checkpoints free segments: recycled ones
                AckLog.awaitGrowth(ackLog, logged, 30_000);
                Thread.sleep(random.nextInt(1500));
                writer.freeze();                      // nothing it does after the cut may count
                Mounts.shutdownWithoutFlush(mount);
                writer.kill();
                Mounts.unmount(mount);
                Child.sh("mount", loop, mount.toString());

                final StringWriter out = new StringWriter();
                assertEquals(SpindleCli.OK, SpindleCli.run(new String[]{"verify", "--config", config.toString()},
                    new PrintWriter(out), new PrintWriter(new StringWriter())), () -> context + ": verify:\n" + out);
                final Map<String, Long> acknowledged = AckLog.read(ackLog);
                final long total = acknowledged.values().stream().mapToLong(Long::longValue).sum();
                if (total > acknowledgedBefore)
                {
                    roundsWithAcks++;
                }
                else
                {
                    System.out.println(context + ": nothing acknowledged; the writer said:\n" + writer.stderr());
                }
                acknowledgedBefore = total;
                Survivors.check(SpindleConfig.load(config), acknowledged, SEED, context);
            }
            assertTrue(roundsWithAcks >= 10, "only " + roundsWithAcks + " rounds acknowledged anything");
            assertTrue(Files.isDirectory(mount.resolve("lane0").resolve(".recycle")) ||
                Files.isDirectory(mount.resolve("lane1").resolve(".recycle")), "no lane recycled a segment");
        }
        finally
        {
            Mounts.unmount(mount);
            Mounts.detach(loop);
        }
    }
}
