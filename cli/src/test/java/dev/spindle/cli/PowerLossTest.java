package dev.spindle.cli;

import dev.spindle.config.SpindleConfig;
import dev.spindle.wal.SyncMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariant 1 under power loss: two lanes on a loop-mounted ext4; while a child JVM writes (from a random time after
 * it first made something durable), it is
 * frozen (SIGSTOP: as at a power cut, nothing it does afterwards can be observed), the file system is
 * shut down without flushing its log (everything not fsync'd is dropped, as when power fails), the
 * writer is killed, the file system is mounted again (journal replay), {@code spindle verify} must exit 0, and
 * every entry the writer saw durable must replay with its exact payload, with no gap below what replays. The ack
 * log lives on another file system, which is not shut down. Needs root (losetup, mount); CI runs as root.
 *
 * <p>Every sync_mode that promises something at power loss, in both io_modes (round {@code r}: io_mode by
 * {@code r % 2}, sync_mode by {@code r / 2 % 4}). {@code Always} and {@code PerBatch} acknowledge only what is
 * durable, so nothing acknowledged may be lost. {@code Periodic} and {@code Never} acknowledge before the fsync
 * and may lose what was not yet synced, but nothing that was durable, and nothing older than their bound:
 * {@code Periodic} syncs every {@code flush_interval_ms}, {@code Never} seals (and so syncs) every segment at
 * {@code segment_max_age_ms} at the latest. Half their rounds are timed (round {@code r} with {@code r / 8} even):
 * there an entry acknowledged longer ago than that, plus {@link #SLACK_MS} for the fsync itself and a busy machine,
 * must survive. A timed round writes for longer than the bound, so that the check covers entries; at a few MB/s,
 * which the disk keeps up with (a writer faster than the disk makes the window as long as its flush backlog, up to
 * {@code global_flush_threshold}: the other rounds write as fast as they can, and only count what they lose); into
 * 64 MiB segments, which it never fills, so nothing but the periodic fsync or the seal by age makes an entry durable
 * (a full segment is forced when sealed); and without checkpoints (the writer checkpoints at its acknowledged
 * sequence, which would excuse the loss of everything below). {@code Never} runs with
 * {@code collection_affinity = true}: without it a power loss may leave a gap inside
 * sealed segments, by design (README, durability). The untimed rounds draw a {@code codec}, so compressed blocks
 * are cut at power loss too.
 *
 * <p>{@value #DEFAULT_ROUNDS} rounds in CI on one loop mount; {@code -Dspindle.powerloss.rounds=N} runs N (a soak),
 * {@code -Dspindle.powerloss.seed=S} draws other configurations. Each round prints its cost, the end a summary.
 * A failure names the round, the seed and the configuration, and keeps the files (the image too).
 */
class PowerLossTest
{
    private static final String[] CODECS = {"null", "zstandard", "snappy", "deflate"};
    private static final long SEED = 13;
    private static final int DEFAULT_ROUNDS = 64;
    /** Beyond a mode's interval: the fsync itself, and a lane or ack log thread that waited for a CPU. */
    private static final long SLACK_MS = 300;
    /** The offered load of a timed round: a few MB/s, which any disk keeps up with. */
    private static final long TIMED_BYTES_PER_SECOND = 4_000_000;
    private static final SyncMode[] MODES = {SyncMode.Always, SyncMode.PerBatch, SyncMode.Periodic, SyncMode.Never};
    private static final String[] STRATEGIES = {"RoundRobin", "Hash", "LoadBalanced"};

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void shouldKeepEveryDurableEntryAndNothingOlderThanTheModesBoundWhenUnsyncedDataIsDropped() throws Exception
    {
        Child.requireRoot("loop devices and mounts need root");
        final int rounds = Integer.getInteger("spindle.powerloss.rounds", DEFAULT_ROUNDS);
        final long randomSeed = Long.getLong("spindle.powerloss.seed", 42);
        final Path mount = dir.resolve("disk");
        final String loop = Mounts.ext4(dir.resolve("disk.img"), 512, mount);
        final Random random = new Random(randomSeed);
        final Map<String, long[]> tally = new TreeMap<>();    // per io_mode and sync_mode, see Tally
        final long[] millis = new long[5];
        final long begin = System.nanoTime();
        try
        {
            for (int round = 0; round < rounds; round++)
            {
                final String ioMode = round % 2 == 0 ? "pwrite" : "mmap";
                final SyncMode syncMode = MODES[round / 2 % MODES.length];
                final boolean affinity = syncMode == SyncMode.Never || random.nextInt(3) != 0;
                final String strategy = STRATEGIES[random.nextInt(STRATEGIES.length)];
                final long interval = 20 + random.nextInt(81);    // flush_interval_ms, or segment_max_age_ms for Never
                final boolean lagging = syncMode == SyncMode.Periodic || syncMode == SyncMode.Never;
                final boolean timed = lagging && round / 8 % 2 == 0;    // see the class comment
                final long bound = timed ? interval + SLACK_MS : 0;
                final String segmentSize = timed ? "64 MiB" : "2 MiB";
                final boolean preallocate = random.nextInt(4) == 0;
                final int entrySize = 100 + random.nextInt(3000);
                final long rate = timed ? TIMED_BYTES_PER_SECOND / entrySize : 0;
                final boolean checkpointing = random.nextInt(3) == 0 && !timed;
                final long writeFor = (timed ? bound : lagging ? 2 * interval : 0) + random.nextInt(400);
                // a codec: what is compressed is cut and recovered the same way. Timed rounds keep the lane's pace (a
                // codec slows the lane: deflate writes about 20 MB/s of these random payloads)
                final String codec = timed ? "null" : CODECS[random.nextInt(CODECS.length)];
                final Path config = dir.resolve("round" + round + ".toml");
                Files.writeString(config, "[storage.wal_config]\nwal_urls = [\"" + mount.resolve("lane0") + "\", \"" +
                    mount.resolve("lane1") + "\"]\nio_mode = \"" + ioMode + "\"\nsync_mode = \"" + syncMode + "\"\n" +
                    "collection_affinity = " + affinity + "\ndistribution_strategy = \"" + strategy + "\"\n" +
                    "disk_segment_size = \"" + segmentSize + "\"\npwrite_preallocate = " + preallocate + "\n" +
                    "codec = \"" + codec + "\"\n" +
                    (syncMode == SyncMode.Periodic ? "flush_interval_ms = " + interval + "\n" : "") +
                    (syncMode == SyncMode.Never ? "segment_max_age_ms = " + interval + "\n" : ""));
                final String context = "power loss round " + round + " of seed " + randomSeed + " (" + ioMode +
                    (preallocate ? "+preallocate" : "") + ", " + syncMode +
                    (syncMode == SyncMode.Periodic ? " every " + interval + " ms" : "") +
                    (syncMode == SyncMode.Never ? " sealing at " + interval + " ms" : "") + ", affinity=" + affinity +
                    ", " + strategy + ", " + entrySize + " B, " + segmentSize + " segments, codec " + codec +
                    (checkpointing ? ", checkpointing" : "") + (timed ? ", " + rate + " entries/s, timed" : "") +
                    ", cut " + writeFor + " ms after the first durable entry; " + config + ")";

                final Path ackLog = dir.resolve("ack-" + round + ".log");
                final long t0 = System.nanoTime();
                final Child writer = Child.startFast(dir, "write", "--config", config.toString(), "--collections", "4",
                    "--entries", "100000000", "--entry-size", Integer.toString(entrySize), "--threads", "2",
                    "--seed", Long.toString(SEED), "--ack-log", ackLog.toString(), "--quiet",
                    "--checkpoint-mib", checkpointing ? "2" : "0",    // checkpoints free segments: recycled ones
                    "--rate", Long.toString(rate));
                AckLog.awaitGrowth(ackLog, 0, 30_000);
                // Periodic and Never acknowledge before their first fsync: the cut comes after something is durable, or
                // a round whose random cut came before it (its seal by age, on a busy machine) checks nothing
                AckLog.awaitDurable(ackLog, 30_000);
                final long t1 = System.nanoTime();
                Thread.sleep(writeFor);
                final long cut = System.currentTimeMillis();
                writer.freeze();                      // nothing it does after the cut may count
                final long t2 = System.nanoTime();
                Mounts.shutdownWithoutFlush(mount);
                writer.kill();
                Mounts.unmount(mount);
                Child.sh("mount", loop, mount.toString());
                final long t3 = System.nanoTime();

                final StringWriter out = new StringWriter();
                assertEquals(SpindleCli.OK, SpindleCli.run(new String[]{"verify", "--config", config.toString()},
                    new PrintWriter(out), new PrintWriter(new StringWriter())), () -> context + ": verify:\n" + out);
                final long t4 = System.nanoTime();
                final AckLog.Witness witness = AckLog.witness(ackLog);
                final Survivors.Replayed replayed = Survivors.replay(SpindleConfig.load(config), witness.durableOfAll(),
                    SEED, context);
                final long[] t = tally.computeIfAbsent(ioMode + " " + syncMode, k -> new long[Tally.values().length]);
                t[Tally.ROUNDS.ordinal()]++;
                t[Tally.ENTRIES.ordinal()] += replayed.entries();
                if (witness.durable().values().stream().anyMatch(s -> s > 0))
                {
                    t[Tally.DURABLE.ordinal()]++;
                }
                else
                {
                    System.out.println(context + ": nothing durable; the writer said:\n" + writer.stderrOrNothing());
                }
                if (lagging)
                {
                    checkBound(witness, replayed, cut, bound, context, t);
                }
                final long t5 = System.nanoTime();
                millis[0] += (t1 - t0) / 1_000_000;
                millis[1] += (t2 - t1) / 1_000_000;
                millis[2] += (t3 - t2) / 1_000_000;
                millis[3] += (t4 - t3) / 1_000_000;
                millis[4] += (t5 - t4) / 1_000_000;
                System.out.printf(Locale.ROOT, "%s: %d ms (first durable entry %d, writing %d, cut and remount %d, " +
                    "verify %d, replay %d)%n", context, (t5 - t0) / 1_000_000, (t1 - t0) / 1_000_000,
                    (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000, (t4 - t3) / 1_000_000, (t5 - t4) / 1_000_000);
                Files.delete(ackLog);
                Files.delete(config);
            }
            final double seconds = (System.nanoTime() - begin) / 1e9;
            System.out.printf(Locale.ROOT, "power loss: %d rounds of seed %d in %.0f s, %.2f s a round (on average: " +
                "first durable entry %d ms, writing %d, cut and remount %d, verify %d, replay %d)%n", rounds,
                randomSeed, seconds, seconds / rounds, millis[0] / rounds, millis[1] / rounds, millis[2] / rounds,
                millis[3] / rounds, millis[4] / rounds);
            tally.forEach((mode, t) -> System.out.printf(Locale.ROOT, "  %-16s %3d rounds, %3d with durable entries, " +
                    "%,11d entries replayed and checked, none lost that was durable; acknowledged entries lost in %d " +
                    "rounds (the oldest acknowledged %d ms before the cut); %d timed rounds, %d of them held entries " +
                    "acknowledged longer ago than the bound, which survived (the oldest loss: %d ms before the cut)%n",
                mode, t[Tally.ROUNDS.ordinal()], t[Tally.DURABLE.ordinal()], t[Tally.ENTRIES.ordinal()],
                t[Tally.LOSSES.ordinal()], t[Tally.OLDEST_LOSS.ordinal()], t[Tally.TIMED.ordinal()],
                t[Tally.BOUNDED.ordinal()], t[Tally.OLDEST_TIMED_LOSS.ordinal()]));
            for (final Map.Entry<String, long[]> e : tally.entrySet())
            {
                final long[] t = e.getValue();
                assertTrue(t[Tally.DURABLE.ordinal()] * 10 >= t[Tally.ROUNDS.ordinal()] * 9, () -> e.getKey() + ": only " +
                    t[Tally.DURABLE.ordinal()] + " of " + t[Tally.ROUNDS.ordinal()] + " rounds made anything durable");
                assertTrue(t[Tally.BOUNDED.ordinal()] * 4 >= t[Tally.TIMED.ordinal()] * 3, () -> e.getKey() + ": only " +
                    t[Tally.BOUNDED.ordinal()] + " of " + t[Tally.TIMED.ordinal()] + " timed rounds acknowledged " +
                    "anything longer than the bound before the cut: the bound was hardly checked");
            }
            assertTrue(Files.isDirectory(mount.resolve("lane0").resolve(".recycle")) ||
                Files.isDirectory(mount.resolve("lane1").resolve(".recycle")), "no lane recycled a segment");
        }
        finally
        {
            Mounts.unmount(mount);
            Mounts.detach(loop);
        }
    }

    /**
     * {@code Periodic} and {@code Never}: what was acknowledged and did not survive must have been acknowledged less
     * than {@code bound} ms before the cut, in a timed round ({@code bound > 0}); in the others the losses are
     * only counted.
     */
    private static void checkBound(final AckLog.Witness witness, final Survivors.Replayed replayed, final long cut,
        final long bound, final String context, final long[] t)
    {
        boolean lost = false;
        boolean bounded = false;
        for (final Map.Entry<String, List<long[]>> e : witness.acknowledged().entrySet())
        {
            final String collection = e.getKey();
            final long last = replayed.last().get(collection);
            final long acknowledged = e.getValue().get(e.getValue().size() - 1)[0];
            bounded |= bound > 0 && e.getValue().get(0)[1] <= cut - bound;
            if (acknowledged <= last)
            {
                continue;
            }
            lost = true;
            final long age = cut - witness.acknowledgedAt(collection, last + 1);
            System.out.printf(Locale.ROOT, "%s: %s lost %d..%d, acknowledged from %d ms before the cut%s%n",
                context, collection, last + 1, acknowledged, age, bound > 0 ? " (bound " + bound + " ms)" : "");
            t[Tally.OLDEST_LOSS.ordinal()] = Math.max(t[Tally.OLDEST_LOSS.ordinal()], age);
            if (bound > 0)
            {
                assertTrue(age <= bound, () -> context + ": " + collection + " lost " + (last + 1) + ".." +
                    acknowledged + ", acknowledged " + age + " ms before the cut, longer ago than the mode's bound of " +
                    bound + " ms");
                t[Tally.OLDEST_TIMED_LOSS.ordinal()] = Math.max(t[Tally.OLDEST_TIMED_LOSS.ordinal()], age);
            }
        }
        if (lost)
        {
            t[Tally.LOSSES.ordinal()]++;
        }
        if (bound > 0)
        {
            t[Tally.TIMED.ordinal()]++;
        }
        if (bounded)
        {
            t[Tally.BOUNDED.ordinal()]++;
        }
    }

    /** Counters kept per io_mode and sync_mode. */
    private enum Tally
    {
        ROUNDS, DURABLE, ENTRIES, LOSSES, OLDEST_LOSS, TIMED, BOUNDED, OLDEST_TIMED_LOSS
    }
}
