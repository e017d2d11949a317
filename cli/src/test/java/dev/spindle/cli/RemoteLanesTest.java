package dev.spindle.cli;

import dev.spindle.config.SpindleConfig;
import dev.spindle.fs.WalFileSystem;
import dev.spindle.fs.WalFileSystems;
import dev.spindle.testkit.FaultProxy;
import dev.spindle.testkit.ObjectStoreServer;
import dev.spindle.wal.DistributionStrategy;
import dev.spindle.wal.Entry;
import dev.spindle.wal.Wal;
import dev.spindle.wal.WalCollection;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.WalReader;
import dev.spindle.wal.WalRecord;
import dev.spindle.wal.WalReplay;
import dev.spindle.wal.WalStats;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Remote lanes end to end, against real servers of each protocol started by the test run: S3Mock (S3),
 * Azurite (Azure Blob, serving adls:// lanes) and the GCS test server. Each backend: write through a remote lane,
 * wait for remote durability, delete staging and replay everything; kill the server in the middle of uploads
 * and bring it back; answer 503 for a while; SIGKILL the writer between seal and upload and restart it.
 */
class RemoteLanesTest
{
    private static final int ENTRY = 300;

    @TempDir
    Path dir;

    private static ObjectStoreServer server(final String backend) throws Exception
    {
        return ObjectStoreServer.shared(backend);
    }

    /** A TOML file for one remote lane (plus {@code extraUrls} first), under a fresh prefix. */
    private Path config(final ObjectStoreServer server, final String prefix, final String extra,
        final String... extraUrls) throws IOException
    {
        final StringBuilder urls = new StringBuilder();
        for (final String url : extraUrls)
        {
            urls.append('"').append(url).append("\", ");
        }
        urls.append('"').append(server.url(prefix)).append('"');
        final String text = "[storage.wal_config]\n" +
            "wal_urls = [" + urls + "]\n" +
            "staging_dir = \"" + dir.resolve("staging") + "\"\n" +
            "disk_segment_size = \"256 KiB\"\n" +
            "upload_retry_base_ms = 20\n" +
            "upload_retry_max_ms = 400\n" +
            extra + "\n" +
            server.tomlSection() + "\n";
        return Files.writeString(dir.resolve("wal-" + prefix + ".toml"), text);
    }

    private static WalOptions options(final ObjectStoreServer server, final Path config) throws IOException
    {
        final Map<String, String> env = new HashMap<>(System.getenv());
        env.putAll(server.environment());
        return SpindleConfig.parse(Files.readString(config), config.toString(), env::get).options();
    }

    private static String prefix()
    {
        return "e2e-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static byte[] value(final String collection, final long sequence)
    {
        final byte[] v = new byte[ENTRY];
        Arrays.fill(v, (byte)(collection.hashCode() * 31 + sequence));
        v[0] = (byte)sequence;
        return v;
    }

    private static long append(final WalCollection c, final int n)
    {
        final Entry e = new Entry();
        long last = 0;
        for (int i = 0; i < n; i++)
        {
            final long next = c.lastSequence() + 1;
            last = c.append(e.clear().value(value(c.name(), next)));
        }
        return last;
    }

    private static void assertReplaysAll(final WalOptions options, final Map<String, Long> expected)
    {
        try (WalReader reader = WalReader.open(options))
        {
            for (final Map.Entry<String, Long> e : expected.entrySet())
            {
                long next = 1;
                try (WalReplay replay = reader.replay(e.getKey(), 1))
                {
                    while (replay.hasNext())
                    {
                        final WalRecord r = replay.next();
                        assertEquals(next, r.sequence(), e.getKey() + ": no gap, no duplicate");
                        assertArrayEquals(value(e.getKey(), next), r.value(), e.getKey() + "#" + next);
                        next++;
                    }
                }
                assertEquals(e.getValue(), next - 1, e.getKey() + ": every entry replayed");
            }
        }
    }

    private void deleteStaging() throws IOException
    {
        try (Stream<Path> walk = Files.walk(dir.resolve("staging")))
        {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static WalFileSystem open(final ObjectStoreServer server, final String prefix) throws IOException
    {
        final String url = server.url(prefix);
        return WalFileSystems.provider(url.substring(0, url.indexOf(':'))).orElseThrow()
            .open(URI.create(url), server.settings());
    }

    private static List<String> remoteKeys(final ObjectStoreServer server, final String prefix) throws IOException
    {
        final List<String> keys = new ArrayList<>();
        try (WalFileSystem fs = open(server, prefix))
        {
            String token = null;
            do
            {
                final WalFileSystem.Page page = fs.list("", token);
                keys.addAll(page.keys());
                token = page.nextPageToken();
            }
            while (token != null);
        }
        return keys;
    }

    private static WalStats.UploadStats upload(final Wal wal)
    {
        for (final WalStats.LaneStats lane : wal.stats().lanes())
        {
            if (lane.upload() != null)
            {
                return lane.upload();
            }
        }
        throw new AssertionError("no remote lane");
    }

    @ParameterizedTest
    @ValueSource(strings = {"s3", "adls", "gcs"})
    void shouldReplayEveryEntryFromObjectStorageWithStagingDeleted(final String backend) throws Exception
    {
        final ObjectStoreServer server = server(backend);
        final String prefix = prefix();
        final WalOptions options = options(server, config(server, prefix, ""));
        final Map<String, Long> expected = new TreeMap<>();
        try (Wal wal = Wal.open(options))
        {
            for (final String name : List.of("alpha", "beta", "gamma"))
            {
                final WalCollection c = wal.collection(name);
                expected.put(name, append(c, 1500));
            }
        }   // close seals the active segments and waits for their upload
        deleteStaging();
        assertReplaysAll(options, expected);
        final List<String> keys = remoteKeys(server, prefix);
        assertTrue(keys.size() >= 6, keys.toString());
        assertTrue(keys.stream().allMatch(k -> k.matches("(alpha|beta|gamma)/\\d{20}-\\d{20}\\.avro") ||
            k.matches("_fence/\\d{20}(\\.cuts)?")), keys.toString());
        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection("alpha");
            assertEquals(1500, c.lastSequence(), "sequences continue from object storage");
            assertEquals(1510, append(c, 10));
            assertTrue(c.remoteDurableSequence() >= 1500);
        }   // close seals the last segment and uploads it
        expected.put("alpha", 1510L);
        final List<String> stagedBefore;
        try (Stream<Path> walk = Files.walk(dir.resolve("staging")))
        {
            stagedBefore = walk.map(p -> dir.relativize(p).toString()).sorted().toList();
        }
        deleteStaging();
        try
        {
            assertReplaysAll(options, expected);
        }
        catch (final AssertionError ex)
        {
            throw new AssertionError(ex.getMessage() + "; objects in the store: " + remoteKeys(server, prefix) +
                "; staging before it was deleted: " + stagedBefore, ex);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"s3", "adls", "gcs"})
    void shouldFinishUploadsAfterTheServerIsKilledAndRestarted(final String backend) throws Exception
    {
        final ObjectStoreServer server = server(backend);
        final String prefix = prefix();
        final WalOptions options = options(server, config(server, prefix, "segment_max_age_ms = 200"));
        final Map<String, Long> expected = new TreeMap<>();
        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection("k");
            long last = append(c, 500);
            while (upload(wal).pendingSegments() == 0 && upload(wal).uploadedSegments() == 0)
            {
                last = append(c, 50);
            }
            server.stop();      // SIGKILL (or an abrupt stop): uploads in flight break off
            try
            {
                last = append(c, 3000);
                c.awaitDurable(last);
                final long failedBefore = upload(wal).failedAttempts();
                final long deadline = System.currentTimeMillis() + 20_000;
                while (upload(wal).failedAttempts() == failedBefore && System.currentTimeMillis() < deadline)
                {
                    Thread.sleep(20);
                }
                assertTrue(upload(wal).failedAttempts() > failedBefore, "uploads failed while the server was down");
                assertTrue(c.remoteDurableSequence() < last);
            }
            finally
            {
                server.start();
            }
            assertTrue(c.awaitRemoteDurable(last, 60, TimeUnit.SECONDS), upload(wal).toString());
            expected.put("k", last);
        }
        deleteStaging();
        assertReplaysAll(options, expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"s3", "adls", "gcs"})
    void shouldRetryWhileTheServerAnswers503(final String backend) throws Exception
    {
        final ObjectStoreServer server = server(backend);
        final String prefix = prefix();
        final WalOptions options = options(server, config(server, prefix, "ack = \"remote\"\nsegment_max_age_ms = 100"));
        final Map<String, Long> expected = new TreeMap<>();
        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection("slow");
            final long rejectedBefore = server.proxy().rejected();
            server.proxy().mode(FaultProxy.Mode.FAIL_503);
            final long last;
            try
            {
                last = append(c, 2000);
                c.awaitDurable(last);
                final long deadline = System.currentTimeMillis() + 60_000;
                while (upload(wal).failedAttempts() < 2 && System.currentTimeMillis() < deadline)
                {
                    Thread.sleep(20);
                }
                assertTrue(upload(wal).failedAttempts() >= 2, "uploads failed and were retried: " + upload(wal));
                assertTrue(server.proxy().rejected() > rejectedBefore, "the proxy answered 503");
                assertTrue(c.acknowledgedSequence() < last, "ack = remote: nothing past the store's answer is acked");
            }
            finally
            {
                server.proxy().mode(FaultProxy.Mode.PASS);
            }
            assertTrue(c.awaitAcknowledged(last, 60, TimeUnit.SECONDS), upload(wal).toString());
            assertEquals(last, c.remoteDurableSequence());
            assertTrue(upload(wal).failedAttempts() > 0);
            expected.put("slow", last);
        }
        deleteStaging();
        assertReplaysAll(options, expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"s3", "adls", "gcs"})
    void shouldUploadExactlyOnceAfterASigkillBetweenSealAndUpload(final String backend) throws Exception
    {
        final ObjectStoreServer server = server(backend);
        final String prefix = prefix();
        final Path config = config(server, prefix, "");
        final Path ackLog = dir.resolve("ack.log");
        final Child writer = Child.start(dir, server.environment(), "write", "--config", config.toString(),
            "--collections", "2", "--entries", "400000", "--entry-size", "200", "--threads", "1", "--seed", "7",
            "--ack-log", ackLog.toString());
        final Map<String, byte[]> staged = new TreeMap<>();
        try
        {
            AckLog.awaitGrowth(ackLog, 0, 60_000);
            server.proxy().mode(FaultProxy.Mode.FAIL_503);    // from here on sealed segments cannot be uploaded
            final long deadline = System.currentTimeMillis() + 60_000;
            while (sealedInStaging().size() < 4 && System.currentTimeMillis() < deadline && writer.isAlive())
            {
                Thread.sleep(20);
            }
            writer.kill();
        }
        finally
        {
            writer.kill();
            server.proxy().mode(FaultProxy.Mode.PASS);
        }
        for (final Path p : sealedInStaging())
        {
            staged.put(p.getParent().getFileName() + "/" + p.getFileName(), Files.readAllBytes(p));
        }
        assertTrue(staged.size() >= 4, "sealed, not uploaded segments in staging: " + staged.keySet() + "\n" +
            writer.stderr());
        final Map<String, Long> acked = AckLog.read(ackLog);
        final WalOptions options = options(server, config);
        try (Wal wal = Wal.open(options))
        {
            for (final String name : wal.collections())
            {
                final WalCollection c = wal.collection(name);
                assertTrue(c.lastSequence() >= acked.getOrDefault(name, 0L), name + ": every acknowledged entry recovered");
                assertTrue(c.awaitRemoteDurable(c.lastSequence(), 60, TimeUnit.SECONDS), upload(wal).toString());
            }
        }
        final List<String> keys = remoteKeys(server, prefix);
        try (WalFileSystem fs = open(server, prefix))
        {
            for (final Map.Entry<String, byte[]> e : staged.entrySet())
            {
                assertEquals(1, keys.stream().filter(e.getKey()::equals).count(), e.getKey() + " is in the store once");
                final ByteBuffer remote = ByteBuffer.allocate(e.getValue().length + 1);
                int n;
                long at = 0;
                while ((n = fs.read(e.getKey(), at, remote)) > 0)
                {
                    at += n;
                }
                assertEquals(e.getValue().length, remote.position(), e.getKey());
                assertArrayEquals(e.getValue(), Arrays.copyOf(remote.array(), remote.position()), e.getKey());
            }
        }
        deleteStaging();
        final Child replay = Child.start(dir, server.environment(), "replay", "--config", config.toString(),
            "--format", "count", "--verify-seed", "7");
        assertEquals(0, replay.waitFor(120), replay.stderr());
        final String counts = Files.readString(dir.resolve("child.out"));
        for (final Map.Entry<String, Long> e : acked.entrySet())
        {
            final String line = counts.lines().filter(l -> l.startsWith(e.getKey() + " ")).findFirst().orElseThrow(
                () -> new AssertionError("no count for " + e.getKey() + " in " + counts));
            final String[] parts = line.split(" ");
            assertEquals(Long.parseLong(parts[1]), Long.parseLong(parts[2]), "count equals max: no gap, " + line);
            assertTrue(Long.parseLong(parts[2]) >= e.getValue(), "acknowledged " + e.getValue() + ", replayed " + line);
        }
    }

    private List<Path> sealedInStaging() throws IOException
    {
        if (!Files.exists(dir.resolve("staging")))
        {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir.resolve("staging")))
        {
            return walk.filter(p -> p.getFileName().toString().endsWith(".avro")).sorted().toList();
        }
    }

    @ParameterizedTest
    @EnumSource(DistributionStrategy.class)
    void shouldMixTwoLocalDisksAndAnS3Lane(final DistributionStrategy strategy) throws Exception
    {
        final ObjectStoreServer server = server("s3");
        for (final boolean affinity : new boolean[]{true, false})
        {
            final String prefix = prefix();
            final Path config = config(server, prefix, "distribution_strategy = \"" + strategy + "\"\n" +
                "collection_affinity = " + affinity, dir.resolve(prefix + "-disk1").toString(),
                dir.resolve(prefix + "-disk2").toString());
            final WalOptions options = options(server, config);
            final Map<String, Long> expected = new TreeMap<>();
            try (Wal wal = Wal.open(options))
            {
                for (int i = 0; i < 6; i++)
                {
                    final WalCollection c = wal.collection("m" + i);
                    expected.put(c.name(), append(c, 400));
                    c.awaitDurable(400);
                }
                final WalStats stats = wal.stats();
                int lanesUsed = 0;
                for (final WalStats.LaneStats lane : stats.lanes())
                {
                    lanesUsed += lane.collections().isEmpty() ? 0 : 1;
                    if (affinity)
                    {
                        for (final WalStats.CollectionStats cs : lane.collections())
                        {
                            assertEquals(400, cs.laneSequence(), cs.collection() + " lives on one lane");
                        }
                    }
                }
                assertTrue(lanesUsed >= 2, strategy + " spreads collections: " + stats);
            }
            deleteStaging();
            assertReplaysAll(options, expected);
        }
    }
}
