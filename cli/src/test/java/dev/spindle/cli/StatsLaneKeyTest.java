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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * {@code spindle stats} shows a lane's published metrics under the lane whose directory holds them, not under the
 * index the writer had for it: a disk put at the front of {@code wal_urls} later shows none (a review's finding:
 * it showed the other disk's).
 */
class StatsLaneKeyTest
{
    @TempDir
    Path dir;

    @Test
    void metricsFollowTheDirectoryNotTheIndexInTheFile() throws Exception
    {
        final Path a = dir.resolve("diskA");
        final Path b = Files.createDirectories(dir.resolve("diskB"));
        final Path first = Files.writeString(dir.resolve("one.toml"),
            "[storage.wal_config]\nwal_urls = [\"" + a + "\"]\n");
        try (Wal wal = Wal.open(SpindleConfig.load(first)))
        {
            final WalCollection c = wal.collection("c");
            for (int i = 0; i < 10; i++)
            {
                c.awaitAcknowledged(c.append(new Entry().value(new byte[16])));
            }
        }
        final Path second = Files.writeString(dir.resolve("two.toml"),
            "[storage.wal_config]\nwal_urls = [\"" + b + "\", \"" + a + "\"]\n");
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        assertEquals(SpindleCli.OK, SpindleCli.run(new String[]{"stats", "--config", second.toString(), "--json"},
            new PrintWriter(out), new PrintWriter(err)), err::toString);
        final JsonNode lanes = new ObjectMapper().readTree(out.toString()).get("lanes");
        assertFalse(lanes.get(0).has("metrics"), "diskB never had a writer, yet shows: " + lanes.get(0));
        assertEquals(10, lanes.get(1).get("metrics").get("entries").asLong(), lanes.get(1).toString());
    }
}
