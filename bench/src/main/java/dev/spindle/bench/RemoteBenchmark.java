package dev.spindle.bench;

import dev.spindle.fs.Directories;
import dev.spindle.fs.WalFileSystem;
import dev.spindle.fs.WalFileSystems;
import dev.spindle.testkit.FaultProxy;
import dev.spindle.testkit.S3MockServer;
import dev.spindle.wal.Entry;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.Wal;
import dev.spindle.wal.WalCollection;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.WalStats;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Remote lanes against S3Mock (a real S3 server, started as its own process): what uploads cost and whether
 * they slow the lane. Three measurements, each a median over interleaved rounds on the same machine:
 *
 * <ol>
 *   <li>upload throughput of 64 MiB segments through the S3 backend, one at a time and four at once, as
 *       multipart uploads (the default above 16 MiB) and as single PUTs;</li>
 *   <li>append throughput of one lane with 4 KiB entries, durable per batch: local-only, against an {@code s3://}
 *       lane staging on the same disk while its sealed segments upload, and against an {@code s3://} lane whose
 *       uploads are held back (the proxy answers 503), which is the lane's own cost without the uploads'
 *       competition for the two cores and the disk;</li>
 *   <li>upload lag (seal to verified upload) p50/p99 under a steady append load of {@code --rate-mb} MB/s.</li>
 * </ol>
 *
 * S3Mock runs with full JIT here (the test servers start with C1 only) and its store on the same disk; the lanes
 * upload with single PUTs ({@code multipart_threshold_bytes = 128 MiB}), about twice as fast against S3Mock,
 * whose multipart completion copies every part again.
 *
 * <pre>
 *   ./mvnw -B -q -pl bench -am package -DskipTests
 *   java -cp bench/target/benchmarks.jar dev.spindle.bench.RemoteBenchmark [--rounds 3] [--gib 1]
 *        [--rate-mb 100] [--seconds 20] [--dir data/remote-bench] [--server-cpus 1] [--server-dir /dev/shm/s3mock]
 * </pre>
 */
public final class RemoteBenchmark
{
    private static final int ENTRY = 4096;
    private static final long SEGMENT = 64L << 20;

    private RemoteBenchmark()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        int rounds = 3;
        double gib = 1;
        double rateMb = 100;
        int seconds = 20;
        Path dir = Path.of("data/remote-bench");
        String serverCpus = null;
        Path serverDir = null;
        for (int i = 0; i < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--rounds":
                    rounds = Integer.parseInt(args[i + 1]);
                    break;
                case "--gib":
                    gib = Double.parseDouble(args[i + 1]);
                    break;
                case "--rate-mb":
                    rateMb = Double.parseDouble(args[i + 1]);
                    break;
                case "--seconds":
                    seconds = Integer.parseInt(args[i + 1]);
                    break;
                case "--dir":
                    dir = Path.of(args[i + 1]);
                    break;
                case "--server-cpus":
                    serverCpus = args[i + 1];
                    break;
                case "--server-dir":
                    serverDir = Path.of(args[i + 1]);
                    break;
                default:
                    System.err.println("unknown option " + args[i]);
                    System.exit(2);
            }
        }
        Files.createDirectories(dir);
        final S3MockServer server = S3MockServer.forThroughput(serverDir == null ? dir.resolve("s3mock") : serverDir,
            serverCpus == null ? List.of() : List.of("taskset", "-c", serverCpus));
        S3MOCK = server;
        laneSettings = new java.util.TreeMap<>(server.settings());
        laneSettings.put("multipart_threshold_bytes", Long.toString(128L << 20));
        System.err.println("S3Mock is up; " + rounds + " rounds");

        final List<Double> serial = new ArrayList<>();
        final List<Double> parallel = new ArrayList<>();
        final List<Double> serialPut = new ArrayList<>();
        final List<Double> parallelPut = new ArrayList<>();
        final List<Double> local = new ArrayList<>();
        final List<Double> remote = new ArrayList<>();
        final List<Double> held = new ArrayList<>();
        final Path segment = dir.resolve("segment-64MiB");
        final byte[] bytes = new byte[(int)SEGMENT];
        new Random(1).nextBytes(bytes);
        Files.write(segment, bytes);
        final long appendBytes = (long)(gib * (1L << 30));
        for (int r = 0; r < rounds; r++)
        {
            serial.add(uploadMbPerSec(server, server.settings(), segment, 4, 1));
            parallel.add(uploadMbPerSec(server, server.settings(), segment, 8, 4));
            serialPut.add(uploadMbPerSec(server, laneSettings, segment, 4, 1));
            parallelPut.add(uploadMbPerSec(server, laneSettings, segment, 8, 4));
            local.add(appendMbPerSec(dir, List.of(dir.resolve("local-lane").toString()), appendBytes, null, false));
            final String localCpu = String.format(Locale.ROOT, "%.1f s + S3Mock %.1f s", lastSelfCpu, lastServerCpu);
            remote.add(appendMbPerSec(dir, List.of(server.url("bench-" + UUID.randomUUID())), appendBytes, server,
                false));
            final String remoteCpu = String.format(Locale.ROOT, "%.1f s + S3Mock %.1f s", lastSelfCpu, lastServerCpu);
            held.add(appendMbPerSec(dir, List.of(server.url("held-" + UUID.randomUUID())), appendBytes, server, true));
            final String heldCpu = String.format(Locale.ROOT, "%.1f s + S3Mock %.1f s", lastSelfCpu, lastServerCpu);
            System.err.printf(Locale.ROOT, "round %d: upload multipart %.0f MB/s (x4 %.0f), single PUT %.0f (x4 %.0f); " +
                "append local %.0f MB/s (CPU %s), s3 lane %.0f (CPU %s), s3 lane with uploads held %.0f (CPU %s)%n",
                r + 1, serial.get(r), parallel.get(r), serialPut.get(r), parallelPut.get(r), local.get(r), localCpu,
                remote.get(r), remoteCpu, held.get(r), heldCpu);
        }
        final long[] lag = lagAtRate(server, dir, rateMb, seconds);
        Files.deleteIfExists(segment);
        server.close();
        System.out.printf(Locale.ROOT, "{\"upload_64mib_multipart_mb_per_sec\": %.0f, " +
                "\"upload_64mib_multipart_x4_mb_per_sec\": %.0f, \"upload_64mib_put_mb_per_sec\": %.0f, " +
                "\"upload_64mib_put_x4_mb_per_sec\": %.0f, " +
                "\"append_local_mb_per_sec\": %.0f, \"append_s3_lane_mb_per_sec\": %.0f, \"s3_over_local\": %.3f, " +
                "\"append_s3_lane_uploads_held_mb_per_sec\": %.0f, \"held_over_local\": %.3f, " +
                "\"offered_mb_per_sec\": %.0f, \"achieved_mb_per_sec\": %.1f, \"segments_uploaded\": %d, " +
                "\"upload_lag_ms\": {\"p50\": %d, \"p99\": %d}}%n",
            median(serial), median(parallel), median(serialPut), median(parallelPut), median(local), median(remote),
            median(remote) / median(local), median(held), median(held) / median(local),
            rateMb, lag[3] / 1000.0, lag[4], lag[0], lag[1]);
        System.exit(0);
    }

    private static double median(final List<Double> values)
    {
        final double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[sorted.length / 2];
    }

    private static Map<String, String> laneSettings;
    private static S3MockServer S3MOCK;

    private static WalFileSystem open(final S3MockServer server, final Map<String, String> settings,
        final String prefix) throws IOException
    {
        return WalFileSystems.provider("s3").orElseThrow().open(URI.create(server.url(prefix)), settings);
    }

    /** Delete everything under {@code url}'s prefix, to keep S3Mock's store small between runs. */
    private static void deleteRemote(final S3MockServer server, final String url) throws IOException
    {
        final String prefix = url.substring(server.url("").length());
        try (WalFileSystem fs = open(server, server.settings(), prefix))
        {
            String token = null;
            do
            {
                final WalFileSystem.Page page = fs.list("", token);
                for (final String key : page.keys())
                {
                    fs.delete(key);
                }
                token = page.nextPageToken();
            }
            while (token != null);
        }
    }

    /** Upload {@code count} copies of the segment, {@code concurrency} at a time. */
    private static double uploadMbPerSec(final S3MockServer server, final Map<String, String> settings,
        final Path segment, final int count, final int concurrency) throws Exception
    {
        final String prefix = "upload-" + UUID.randomUUID();
        final ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try (WalFileSystem fs = open(server, settings, prefix))
        {
            final long start = System.nanoTime();
            final List<Future<Boolean>> done = new ArrayList<>();
            for (int i = 0; i < count; i++)
            {
                final String key = "c/" + i + ".avro";
                done.add(pool.submit(() -> fs.putIfAbsent(key, segment)));
            }
            for (final Future<Boolean> f : done)
            {
                f.get();
            }
            final double seconds = (System.nanoTime() - start) / 1e9;
            for (int i = 0; i < count; i++)
            {
                fs.delete("c/" + i + ".avro");
            }
            return count * Files.size(segment) / 1e6 / seconds;
        }
        finally
        {
            pool.shutdown();
        }
    }

    private static WalOptions options(final Path dir, final List<String> urls, final S3MockServer server,
        final boolean held)
    {
        final WalOptions.Builder b = WalOptions.builder()
            .walUrls(urls)
            .syncMode(SyncMode.PerBatch)
            .diskSegmentSizeBytes(SEGMENT)
            .stagingDir(dir.resolve("staging"))
            .uploadCloseTimeoutMs(held ? 1 : 600_000)
            .uploadQueueBytes(held ? 8L << 30 : WalOptions.DEFAULT_UPLOAD_QUEUE_BYTES)
            .uploadRetryBaseMs(held ? 600_000 : WalOptions.DEFAULT_UPLOAD_RETRY_BASE_MS)
            .uploadRetryMaxMs(held ? 600_000 : WalOptions.DEFAULT_UPLOAD_RETRY_MAX_MS);
        if (server != null)
        {
            b.backendSettings("s3", laneSettings);
        }
        return b.build();
    }

    /** Append {@code total} bytes of 4 KiB entries as fast as one producer can; MB/s until the last is acked. */
    /** CPU seconds of this JVM and of S3Mock during the last append run. */
    private static double lastSelfCpu;
    private static double lastServerCpu;

    private static double cpuSeconds(final ProcessHandle process)
    {
        return process == null ? 0 : process.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
    }

    private static double appendMbPerSec(final Path dir, final List<String> urls, final long total,
        final S3MockServer server, final boolean held) throws Exception
    {
        final ProcessHandle s3mock = S3MOCK.processHandle();
        final double selfBefore = cpuSeconds(ProcessHandle.current());
        final double serverBefore = cpuSeconds(s3mock);
        final WalOptions options = options(dir, urls, server, held);
        final long entries = total / ENTRY;
        final double seconds;
        try (Wal wal = Wal.open(options))
        {
            if (held)
            {
                server.proxy().mode(FaultProxy.Mode.FAIL_503);   // after the open, which lists the prefix
            }
            final WalCollection c = wal.collection("bench");
            final Entry e = new Entry().value(new byte[ENTRY - 100]);
            final long start = System.nanoTime();
            long last = 0;
            for (long i = 0; i < entries; i++)
            {
                last = c.append(e);
            }
            c.awaitAcknowledged(last);
            seconds = (System.nanoTime() - start) / 1e9;
            lastSelfCpu = cpuSeconds(ProcessHandle.current()) - selfBefore;
            lastServerCpu = cpuSeconds(s3mock) - serverBefore;
        }
        finally
        {
            if (held)
            {
                server.proxy().mode(FaultProxy.Mode.PASS);
            }
        }
        Directories.deleteTree(dir.resolve("local-lane"));
        Directories.deleteTree(dir.resolve("staging"));
        if (server != null && !held)
        {
            deleteRemote(server, urls.get(0));
        }
        return entries * ENTRY / 1e6 / seconds;
    }

    /**
     * Append at {@code rateMb} MB/s for {@code seconds} to an s3 lane.
     *
     * @return {lag p50, p99, max (ms), achieved kB/s, segments uploaded}.
     */
    private static long[] lagAtRate(final S3MockServer server, final Path dir, final double rateMb, final int seconds)
        throws Exception
    {
        final String url = server.url("lag-" + UUID.randomUUID());
        final WalOptions options = options(dir, List.of(url), server, false);
        final double perSecond = rateMb * 1e6 / ENTRY;
        final WalStats.UploadStats upload;
        long appended = 0;
        final long start = System.nanoTime();
        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection("lag");
            final Entry e = new Entry().value(new byte[ENTRY - 100]);
            final long end = start + TimeUnit.SECONDS.toNanos(seconds);
            long now;
            while ((now = System.nanoTime()) < end)
            {
                final long due = (long)((now - start) / 1e9 * perSecond);
                while (appended < due)
                {
                    c.append(e);
                    appended++;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(200_000);
            }
            c.awaitAcknowledged(c.lastSequence());
            // let the uploads of the segments sealed during the run finish, then read the lag of those
            while (wal.stats().lanes().get(0).upload().pendingSegments() > 0)
            {
                Thread.sleep(50);
            }
            upload = wal.stats().lanes().get(0).upload();
        }
        final double elapsed = (System.nanoTime() - start) / 1e9;
        Directories.deleteTree(dir.resolve("staging"));
        deleteRemote(server, url);
        return new long[]{upload.lagP50Ms(), upload.lagP99Ms(), 0, (long)(appended * ENTRY / 1e3 / elapsed),
            upload.uploadedSegments()};
    }
}
