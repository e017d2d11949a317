package dev.spindle.cli;

import dev.spindle.testkit.AzuriteServer;
import dev.spindle.testkit.ObjectStoreServer;
import dev.spindle.testkit.S3MockServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No secret appears in any log line, error message or {@code stats} output: the command line runs against real
 * servers (S3Mock, Azurite) with its credentials in environment variables, with {@code SPINDLE_DEBUG=1} (stack
 * traces and Spindle's DEBUG lines on), through write, stats, verify and replay, and once with a wrong account
 * key that the server refuses; everything the children print is searched for each secret.
 */
class SecretsTest
{
    /** A well-formed account key the server does not know: refused, and it must not be printed either. */
    private static final String WRONG_KEY = "c3BpbmRsZSB0ZXN0czogYSB3cm9uZyBhY2NvdW50IGtleSB0aGF0IG11c3Qgbm90IGxlYWs=";

    @TempDir
    Path dir;

    private final List<String> printed = new ArrayList<>();

    private Path config(final ObjectStoreServer server) throws IOException
    {
        final String prefix = "secrets-" + UUID.randomUUID().toString().substring(0, 8);
        return Files.writeString(dir.resolve(prefix + ".toml"), "[storage.wal_config]\n" +
            "wal_urls = [\"" + server.url(prefix) + "\"]\n" +
            "staging_dir = \"" + dir.resolve("staging-" + prefix) + "\"\n" +
            "disk_segment_size = \"256 KiB\"\n" +
            "upload_retry_base_ms = 20\n" +
            "upload_retry_max_ms = 100\n" +
            "upload_close_timeout_ms = 2000\n" +
            server.tomlSection() + "\n");
    }

    /** Run the command line in a child JVM; keep what it printed. */
    private int run(final Map<String, String> environment, final String... args) throws Exception
    {
        final Map<String, String> env = new HashMap<>(environment);
        env.put("SPINDLE_DEBUG", "1");
        final Path out = dir.resolve("child.out");
        Files.deleteIfExists(out);
        final Child child = Child.start(dir, env, args);
        final int rc = child.waitFor(120);
        printed.add(String.join(" ", args) + " (exit " + rc + "):\n" + child.stderr() +
            (Files.exists(out) ? Files.readString(out) : ""));
        return rc;
    }

    private void runEverything(final ObjectStoreServer server) throws Exception
    {
        final Path config = config(server);
        assertEquals(0, run(server.environment(), "write", "--config", config.toString(), "--collections", "2",
            "--entries", "3000", "--entry-size", "200", "--seed", "3"), () -> String.join("\n", printed));
        assertEquals(0, run(server.environment(), "stats", "--config", config.toString(), "--json"));
        assertEquals(0, run(server.environment(), "stats", "--config", config.toString()));
        assertEquals(0, run(server.environment(), "verify", "--config", config.toString()));
        assertEquals(0, run(server.environment(), "replay", "--config", config.toString(), "--format", "count"));
    }

    private void assertNotPrinted(final String what, final String secret)
    {
        for (final String output : printed)
        {
            assertFalse(output.contains(secret), what + " printed by " + output);
        }
    }

    @Test
    void noCommandPrintsACredentialAndARefusedKeyIsNotPrintedEither() throws Exception
    {
        final AzuriteServer azurite = AzuriteServer.shared();
        runEverything(azurite);
        final Map<String, String> wrong = new HashMap<>(azurite.environment());
        wrong.put(AzuriteServer.KEY_ENV, WRONG_KEY);
        assertNotEquals(0, run(wrong, "write", "--config", config(azurite).toString(), "--collections", "1",
            "--entries", "2000", "--entry-size", "200", "--seed", "3"), "a wrong key is refused");
        final String refused = printed.get(printed.size() - 1);
        System.out.println(refused);
        assertTrue(refused.contains("403") || refused.toLowerCase(java.util.Locale.ROOT).contains("authori"),
            "refused by the server for the key: " + refused);

        runEverything(S3MockServer.shared());

        assertNotPrinted("the Azure account key", AzuriteServer.ACCOUNT_KEY);
        assertNotPrinted("the refused Azure account key", WRONG_KEY);
        assertNotPrinted("the S3 secret access key", S3MockServer.SECRET_ACCESS_KEY);
    }
}
