package dev.spindle.cli;

import dev.spindle.config.SpindleConfig;
import dev.spindle.fs.WalFileSystem;
import dev.spindle.fs.WalFileSystems;
import dev.spindle.testkit.ObjectStoreServer;
import dev.spindle.wal.Entry;
import dev.spindle.wal.Wal;
import dev.spindle.wal.WalCollection;
import dev.spindle.wal.WalException;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.WalReader;
import dev.spindle.wal.WalRecord;
import dev.spindle.wal.WalReplay;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fencing of two writers on one bucket prefix, against a real server of each protocol (S3Mock, Azurite serving
 * adls://, the GCS test server): each writer has its own staging directory, as on two machines. The writer that
 * opens later takes the next writer epoch with a conditional create; the earlier one's next upload is refused
 * and its appends fail; nothing it wrote after the takeover is replayed, and what it left beyond the cut is
 * ignored by readers and deleted by the next writer.
 */
class FencingServersTest
{
    @TempDir
    Path dir;

    private static ObjectStoreServer server(final String backend) throws Exception
    {
        return ObjectStoreServer.shared(backend);
    }

    private WalOptions writer(final ObjectStoreServer server, final String prefix, final String machine)
        throws IOException
    {
        final String text = "[storage.wal_config]\n" +
            "wal_urls = [\"" + server.url(prefix) + "\"]\n" +
            "staging_dir = \"" + dir.resolve(machine) + "\"\n" +
            "disk_segment_size = \"256 KiB\"\n" +
            "segment_max_age_ms = 100\n" +
            "ack = \"remote\"\n" +
            "upload_retry_base_ms = 20\n" +
            "upload_retry_max_ms = 400\n" +
            server.tomlSection() + "\n";
        final Path config = Files.writeString(dir.resolve(machine + ".toml"), text);
        final Map<String, String> env = new HashMap<>(System.getenv());
        env.putAll(server.environment());
        return SpindleConfig.parse(text, config.toString(), env::get).options();
    }

    /** Appends {@code n} entries keyed by {@code machine}; @return the last sequence, once acknowledged. */
    private static long append(final WalCollection c, final String machine, final int n)
    {
        final Entry e = new Entry();
        long last = 0;
        for (int i = 0; i < n; i++)
        {
            last = c.append(e.clear().key(machine.getBytes(StandardCharsets.UTF_8)).value(new byte[200]));
        }
        assertTrue(c.awaitAcknowledged(last, 60, TimeUnit.SECONDS), "acknowledged within a minute");
        return last;
    }

    /** @return per entry of {@code collection} in replay order, the machine that wrote it. */
    private static List<String> writers(final WalOptions options, final String collection)
    {
        final List<String> out = new ArrayList<>();
        try (WalReader reader = WalReader.open(options); WalReplay replay = reader.replay(collection, 1))
        {
            long next = 1;
            while (replay.hasNext())
            {
                final WalRecord r = replay.next();
                assertEquals(next++, r.sequence(), "no gap, no duplicate");
                out.add(new String(r.key(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static WalFileSystem open(final ObjectStoreServer server, final String prefix) throws IOException
    {
        final String url = server.url(prefix);
        return WalFileSystems.provider(url.substring(0, url.indexOf(':'))).orElseThrow()
            .open(URI.create(url), server.settings());
    }

    private static List<String> keys(final WalFileSystem fs, final String prefix) throws IOException
    {
        final List<String> keys = new ArrayList<>();
        String token = null;
        do
        {
            final WalFileSystem.Page page = fs.list(prefix, token);
            keys.addAll(page.keys());
            token = page.nextPageToken();
        }
        while (token != null);
        return keys;
    }

    private static List<String> expected(final int a, final int b)
    {
        final List<String> out = new ArrayList<>();
        for (int i = 0; i < a; i++)
        {
            out.add("a");
        }
        for (int i = 0; i < b; i++)
        {
            out.add("b");
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"s3", "adls", "gcs"})
    void shouldFenceTheEarlierWriterAndReplayOnlyWhatEachAcknowledged(final String backend) throws Exception
    {
        final ObjectStoreServer server = server(backend);
        final String prefix = "fence-" + UUID.randomUUID().toString().substring(0, 8);
        try (Wal a = Wal.open(writer(server, prefix, "a")))
        {
            final WalCollection ca = a.collection("c");
            assertEquals(500, append(ca, "a", 500));
            try (Wal b = Wal.open(writer(server, prefix, "b")))
            {
                final WalException fenced = assertThrows(WalException.class, () -> append(ca, "a", 10));
                assertTrue(fenced.getMessage().contains("fenced") && fenced.getMessage().contains("writer epoch 2"),
                    fenced.getMessage());
                final WalCollection cb = b.collection("c");
                assertEquals(500, cb.lastSequence(), "b adopted what a acknowledged");
                assertEquals(800, append(cb, "b", 300));
            }
        }
        final WalOptions reader = writer(server, prefix, "reader");
        assertEquals(expected(500, 300), writers(reader, "c"));

        try (WalFileSystem fs = open(server, prefix))
        {
            assertEquals(List.of("_fence/00000000000000000001", "_fence/00000000000000000001.cuts",
                "_fence/00000000000000000002", "_fence/00000000000000000002.cuts"), keys(fs, "_fence/"));
            // what a fenced writer uploaded and could not delete (it crashed first): an epoch-1 segment of a's,
            // under a key beyond b's cut of 500
            final String first = keys(fs, "c/").get(0);
            final Path copy = dir.resolve("stray.avro");
            final ByteBuffer bytes = ByteBuffer.allocate((int)fs.size(first));
            while (bytes.hasRemaining())
            {
                assertTrue(fs.read(first, bytes.position(), bytes) > 0);
            }
            Files.write(copy, bytes.array());
            assertTrue(fs.putIfAbsent("c/00000000000000000801-00000000000000000900.avro", copy));
        }
        assertEquals(expected(500, 300), writers(reader, "c"), "the fenced writer's upload is ignored");
        try (Wal next = Wal.open(writer(server, prefix, "b")))
        {
            assertEquals(800, next.collection("c").lastSequence());
        }
        try (WalFileSystem fs = open(server, prefix))
        {
            assertFalse(keys(fs, "c/").contains("c/00000000000000000801-00000000000000000900.avro"),
                "the next writer deleted it");
        }
    }
}
