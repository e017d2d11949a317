package dev.spindle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spindle.config.SpindleConfig;
import dev.spindle.wal.Entry;
import dev.spindle.wal.Wal;
import dev.spindle.wal.WalCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code spindle stats} shows each lane's metrics as its writer publishes them: live while the WAL is open in
 * another process (here: this test's, beside the command), and as of the close afterwards, in the table and in
 * {@code --json}; the entries add up to what was appended, and the fsyncs were counted.
 */
class StatsMetricsTest
{
    @TempDir
    Path dir;

    @Test
    void statsShowsTheLanesMetricsLiveAndAfterTheClose() throws Exception
    {
        final Path config = Files.writeString(dir.resolve("wal.toml"), "[storage.wal_config]\n" +
            "wal_urls = [\"" + dir.resolve("lane0") + "\", \"" + dir.resolve("lane1") + "\"]\n" +
            "sync_mode = \"Always\"\n");
        try (Wal wal = Wal.open(SpindleConfig.load(config)))
        {
            for (final String name : new String[]{"a", "b", "c"})
            {
                final WalCollection c = wal.collection(name);
                final Entry e = new Entry().value(new byte[64]);
                for (int i = 0; i < 20; i++)
                {
                    c.awaitAcknowledged(c.append(e));
                }
            }
            // the timer publishes about every second: wait (10 s at most) until both lanes show all 60 entries
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            JsonNode stats = stats(config);
            while (entries(stats) < 60 && System.nanoTime() - deadline < 0)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                stats = stats(config);
            }
            assertEquals(60, entries(stats), stats.toString());
            for (final JsonNode lane : stats.get("lanes"))
            {
                final JsonNode m = lane.get("metrics");
                assertTrue(m.get("live").asBoolean(), "live while the WAL is open: " + m);
                assertEquals(m.get("entries").asLong(), m.get("fsync_ns").get("count").asLong(),
                    "Always: one fsync per entry");
                assertFalse(m.get("slow").asBoolean());
            }
            final String table = run("stats", "--config", config.toString());
            assertTrue(table.contains("lane 0 metrics (live,") && table.contains("lane 1 metrics (live,"), table);
        }
        final JsonNode closed = stats(config);
        assertEquals(60, entries(closed));
        for (final JsonNode lane : closed.get("lanes"))
        {
            assertFalse(lane.get("metrics").get("live").asBoolean());
            assertFalse(lane.get("metrics").get("open").asBoolean(), "the close's last words");
        }
        assertTrue(run("stats", "--config", config.toString()).contains("metrics (at the close,"));
    }

    private static long entries(final JsonNode stats)
    {
        long n = 0;
        for (final JsonNode lane : stats.get("lanes"))
        {
            n += lane.has("metrics") ? lane.get("metrics").get("entries").asLong() : 0;
        }
        return n;
    }

    private static JsonNode stats(final Path config) throws Exception
    {
        return new ObjectMapper().readTree(run("stats", "--config", config.toString(), "--json"));
    }

    private static String run(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        assertEquals(SpindleCli.OK, SpindleCli.run(args, new PrintWriter(out), new PrintWriter(err)), err::toString);
        return out.toString();
    }
}
