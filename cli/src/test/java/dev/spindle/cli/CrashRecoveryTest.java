package dev.spindle.cli;

import dev.spindle.config.SpindleConfig;
import dev.spindle.wal.WalOptions;
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
 * Invariant 1 under SIGKILL: a child JVM runs {@code spindle write --ack-log} over three lanes and is
 * killed at a random moment, 24 times, on the same WAL. The configuration changes between rounds
 * (io_mode, collection_affinity, sync_mode, entry size), as an operator's might across restarts.
 * After each kill: {@code spindle verify} exits 0 on the crashed files (torn tails are normal), and
 * every acknowledged entry replays with its exact payload, with no gap.
 */
class CrashRecoveryTest
{
    private static final long SEED = 7;

    @TempDir
    Path dir;

    @Test
    void shouldReplayEveryAcknowledgedEntryAfterEachSigkill() throws Exception
    {
        final Random random = new Random(20261124);
        final Path ackLog = dir.resolve("ack.log");
        long replayed = 0;
        int roundsWithAcks = 0;
        long acknowledgedBefore = 0;
        for (int round = 0; round < 24; round++)
        {
            final String ioMode = round % 2 == 0 ? "pwrite" : "mmap";
            final boolean affinity = (round / 2) % 2 == 0;
            final String syncMode = round % 5 == 4 ? "Always" : "PerBatch";
            final int entrySize = 64 + random.nextInt(2000);
            final Path config = dir.resolve("round" + round + ".toml");
            Files.writeString(config, "[storage.wal_config]\n" +
                "wal_urls = [\"" + dir.resolve("lane0") + "\", \"" + dir.resolve("lane1") + "\", \"" +
                dir.resolve("lane2") + "\"]\n" +
                "distribution_strategy = \"" + (round % 3 == 0 ? "RoundRobin" : round % 3 == 1 ? "Hash" : "LoadBalanced") +
                "\"\n" +
                "collection_affinity = " + affinity + "\n" +
                "io_mode = \"" + ioMode + "\"\n" +
                "sync_mode = \"" + syncMode + "\"\n" +
                "disk_segment_size = \"1 MiB\"\n" +
                "pwrite_preallocate = " + (round % 4 == 2) + "\n" +
                "memory_flush_size_bytes = \"256 KiB\"\n");
            final String context = "round " + round + " (" + ioMode + (round % 4 == 2 ? "+preallocate" : "") +
                (round % 3 == 1 ? ", checkpointing" : "") +
                ", affinity=" + affinity + ", " + syncMode +
                ", " + entrySize + " B)";

            final long logged = AckLog.size(ackLog);
            final Child child = Child.start(dir, "write", "--config", config.toString(), "--collections", "5",
                "--entries", "100000000", "--entry-size", Integer.toString(entrySize), "--threads", "3",
                "--seed", Long.toString(SEED), "--ack-log", ackLog.toString(), "--quiet",
                "--checkpoint-mib", round % 3 == 1 ? "1" : "0");    // checkpoints free segments: recycled ones
            AckLog.awaitGrowth(ackLog, logged, 30_000);
            Thread.sleep(random.nextInt(1500));
            assertTrue(child.isAlive(), () -> context + ": the writer died early: " + stderrOf(child));
            child.kill();

            final StringWriter out = new StringWriter();
            final int verify = SpindleCli.run(new String[]{"verify", "--config", config.toString()},
                new PrintWriter(out), new PrintWriter(new StringWriter()));
            assertEquals(SpindleCli.OK, verify, () -> context + ": verify of the crashed WAL:\n" + out);

            final Map<String, Long> acknowledged = AckLog.read(ackLog);
            final long total = acknowledged.values().stream().mapToLong(Long::longValue).sum();
            if (total > acknowledgedBefore)
            {
                roundsWithAcks++;
            }
            else
            {
                System.out.println(context + ": nothing acknowledged; the writer said:\n" + stderrOf(child));
            }
            acknowledgedBefore = total;
            final WalOptions options = SpindleConfig.load(config);
            replayed += Survivors.check(options, acknowledged, SEED, context);

            final StringWriter after = new StringWriter();
            assertEquals(SpindleCli.OK, SpindleCli.run(new String[]{"verify", "--config", config.toString()},
                new PrintWriter(after), new PrintWriter(new StringWriter())), () -> context + ": after recovery:\n" + after);
        }
        assertTrue(roundsWithAcks >= 22, "only " + roundsWithAcks + " rounds got acknowledgements before the kill");
        assertTrue(replayed > 0);
        assertTrue(java.util.stream.Stream.of("lane0", "lane1", "lane2").anyMatch(lane ->
            Files.isDirectory(dir.resolve(lane).resolve(".recycle"))), "no lane recycled a segment");
    }

    private static String stderrOf(final Child child)
    {
        try
        {
            return child.stderr();
        }
        catch (final Exception ex)
        {
            return ex.toString();
        }
    }
}
