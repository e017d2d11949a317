package dev.spindle.cli;

import dev.spindle.config.SpindleConfig;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.WalOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariant 1 under SIGKILL: a child JVM runs {@code spindle write --ack-log} over three lanes and is
 * killed soon after its first acknowledgements, round after round on the same WAL. The configuration
 * changes between rounds, as an operator's might across restarts: io_mode, sync_mode (every mode that writes
 * files), collection_affinity and distribution_strategy run through all their combinations every 48 rounds;
 * entry size, segment size, memory_flush_size_bytes, pwrite_preallocate, flush_interval_ms, segment_max_age_ms, the
 * codec (so a lane holds segments of several codecs) and checkpointing as it writes (crashes inside recycled
 * segments) are drawn at random. After each kill:
 * {@code spindle verify} exits 0 on the crashed files (torn tails are normal), every entry the writer saw
 * acknowledged (for {@code Periodic} and {@code Never} that is before its fsync: kill -9 must not lose it either)
 * replays with its exact payload, with no gap, and verify is clean again after recovery.
 *
 * <p>{@value #DEFAULT_ROUNDS} rounds in CI; {@code -Dspindle.crash.rounds=N} runs N (a soak), and
 * {@code -Dspindle.crash.seed=S} draws other configurations. The children start fast ({@link ChildJvm}); each round
 * prints its cost, and the end a summary. A failure names the round, the seed and the configuration, and keeps the
 * files (the temporary directory is deleted only on success).
 */
class CrashRecoveryTest
{
    private static final long SEED = 7;
    private static final int DEFAULT_ROUNDS = 100;
    private static final SyncMode[] MODES = {SyncMode.Always, SyncMode.PerBatch, SyncMode.Periodic, SyncMode.Never};
    private static final String[] STRATEGIES = {"RoundRobin", "Hash", "LoadBalanced"};
    private static final String[] CODECS = {"null", "zstandard", "snappy", "deflate"};

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void shouldReplayEveryAcknowledgedEntryAfterEachSigkill() throws Exception
    {
        final int rounds = Integer.getInteger("spindle.crash.rounds", DEFAULT_ROUNDS);
        final long randomSeed = Long.getLong("spindle.crash.seed", 20261124);
        final Random random = new Random(randomSeed);
        final Map<SyncMode, int[]> withAcks = new EnumMap<>(SyncMode.class);
        long replayed = 0;
        final long[] millis = new long[4];    // start to first acknowledgement, until the kill, verify, replay
        final long begin = System.nanoTime();
        for (int round = 0; round < rounds; round++)
        {
            final String ioMode = round % 2 == 0 ? "pwrite" : "mmap";
            final SyncMode syncMode = MODES[round / 2 % MODES.length];
            final boolean affinity = round / 8 % 2 == 0;
            final String strategy = STRATEGIES[round / 16 % STRATEGIES.length];
            final int entrySize = 64 + random.nextInt(2000);
            final boolean preallocate = random.nextInt(4) == 0;
            final boolean checkpointing = random.nextInt(3) == 0;
            final String segmentSize = random.nextBoolean() ? "1 MiB" : "256 KiB";
            final long flushInterval = 10 + random.nextInt(100);
            final long maxAge = random.nextBoolean() ? 0 : 50 + random.nextInt(500);
            final long killAfter = random.nextInt(300);
            final String codec = CODECS[random.nextInt(CODECS.length)];
            final Path config = dir.resolve("round" + round + ".toml");
            Files.writeString(config, "[storage.wal_config]\n" +
                "wal_urls = [\"" + dir.resolve("lane0") + "\", \"" + dir.resolve("lane1") + "\", \"" +
                dir.resolve("lane2") + "\"]\n" +
                "distribution_strategy = \"" + strategy + "\"\n" +
                "collection_affinity = " + affinity + "\n" +
                "io_mode = \"" + ioMode + "\"\n" +
                "sync_mode = \"" + syncMode + "\"\n" +
                "flush_interval_ms = " + flushInterval + "\n" +
                "segment_max_age_ms = " + maxAge + "\n" +
                "disk_segment_size = \"" + segmentSize + "\"\n" +
                "pwrite_preallocate = " + preallocate + "\n" +
                "codec = \"" + codec + "\"\n" +
                "memory_flush_size_bytes = \"" + (random.nextBoolean() ? "256 KiB" : "64 KiB") + "\"\n");
            final String context = "round " + round + " of seed " + randomSeed + " (" + ioMode +
                (preallocate ? "+preallocate" : "") + ", " + syncMode + ", affinity=" + affinity + ", " + strategy +
                ", " + entrySize + " B, " + segmentSize + " segments, codec " + codec +
                (checkpointing ? ", checkpointing" : "") +
                ", killed " + killAfter + " ms after the first acknowledgement; " + config + ")";

            final Path ackLog = dir.resolve("ack-" + round + ".log");
            final long t0 = System.nanoTime();
            final Child child = Child.startFast(dir, "write", "--config", config.toString(), "--collections", "5",
                "--entries", "100000000", "--entry-size", Integer.toString(entrySize), "--threads", "3",
                "--seed", Long.toString(SEED), "--ack-log", ackLog.toString(), "--quiet",
                "--checkpoint-mib", checkpointing ? "1" : "0");    // checkpoints free segments: recycled ones
            AckLog.awaitGrowth(ackLog, 0, 30_000);
            final long t1 = System.nanoTime();
            Thread.sleep(killAfter);
            assertTrue(child.isAlive(), () -> context + ": the writer died early: " + child.stderrOrNothing());
            child.kill();
            final long t2 = System.nanoTime();

            final StringWriter out = new StringWriter();
            final int verify = SpindleCli.run(new String[]{"verify", "--config", config.toString()},
                new PrintWriter(out), new PrintWriter(new StringWriter()));
            assertEquals(SpindleCli.OK, verify, () -> context + ": verify of the crashed WAL:\n" + out);
            final long t3 = System.nanoTime();

            final Map<String, Long> acknowledged = AckLog.witness(ackLog).acknowledgedAtAll();
            final int[] tally = withAcks.computeIfAbsent(syncMode, m -> new int[2]);
            tally[0]++;
            if (acknowledged.values().stream().anyMatch(s -> s > 0))
            {
                tally[1]++;
            }
            else
            {
                System.out.println(context + ": nothing acknowledged; the writer said:\n" + child.stderrOrNothing());
            }
            final WalOptions options = SpindleConfig.load(config);
            replayed += Survivors.check(options, acknowledged, SEED, context);

            final StringWriter after = new StringWriter();
            assertEquals(SpindleCli.OK, SpindleCli.run(new String[]{"verify", "--config", config.toString()},
                new PrintWriter(after), new PrintWriter(new StringWriter())), () -> context + ": after recovery:\n" + after);
            final long t4 = System.nanoTime();
            millis[0] += (t1 - t0) / 1_000_000;
            millis[1] += (t2 - t1) / 1_000_000;
            millis[2] += (t3 - t2) / 1_000_000;
            millis[3] += (t4 - t3) / 1_000_000;
            System.out.printf(Locale.ROOT, "%s: %d ms (first acknowledgement %d, kill %d, verify %d, replay and verify %d)%n",
                context, (t4 - t0) / 1_000_000, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000,
                (t4 - t3) / 1_000_000);
            Files.delete(ackLog);
            Files.delete(config);
        }
        final double seconds = (System.nanoTime() - begin) / 1e9;
        System.out.printf(Locale.ROOT, "SIGKILL: %d rounds of seed %d in %.0f s, %.2f s a round (on average: first " +
            "acknowledgement %d ms, until the kill %d, verify %d, replay and verify %d); %,d entries replayed and " +
            "checked, none lost; rounds with acknowledgements per sync_mode: %s%n", rounds, randomSeed, seconds,
            seconds / rounds, millis[0] / rounds, millis[1] / rounds, millis[2] / rounds, millis[3] / rounds, replayed,
            tally(withAcks));
        for (final Map.Entry<SyncMode, int[]> e : withAcks.entrySet())
        {
            assertTrue(e.getValue()[1] * 10 >= e.getValue()[0] * 9, () -> "only " + e.getValue()[1] + " of " +
                e.getValue()[0] + " " + e.getKey() + " rounds got acknowledgements before the kill");
        }
        assertTrue(replayed > 0);
        assertTrue(java.util.stream.Stream.of("lane0", "lane1", "lane2").anyMatch(lane ->
            Files.isDirectory(dir.resolve(lane).resolve(".recycle"))), "no lane recycled a segment");
    }

    private static String tally(final Map<SyncMode, int[]> withAcks)
    {
        final StringBuilder text = new StringBuilder();
        withAcks.forEach((mode, t) -> text.append(text.length() == 0 ? "" : ", ").append(mode).append(' ')
            .append(t[1]).append('/').append(t[0]));
        return text.toString();
    }
}
