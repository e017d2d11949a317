package dev.spindle.config;

import dev.spindle.wal.AckMode;
import dev.spindle.wal.WalOptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The keys of remote lanes: staging, acknowledgement, uploads, and the backend sections with per-bucket tables;
 * secrets only as ${ENV} references.
 */
class RemoteConfigTest
{
    private static final String HEAD = "[storage.wal_config]\nwal_urls = [\"s3://b1/wal\", \"s3://b.2/wal\"]\n";

    private static WalOptions parse(final String text, final Map<String, String> env)
    {
        return SpindleConfig.parse(text, "remote.toml", env::get).options();
    }

    private static String error(final String text)
    {
        return assertThrows(ConfigException.class, () -> parse(text, Map.of("SECRET", "s3cr3t"))).getMessage();
    }

    @Test
    void shouldReadStagingAckAndUploadKeys()
    {
        final WalOptions options = parse(HEAD + "staging_dir = \"/mnt/ephemeral/staging\"\nack = \"remote\"\n" +
            "upload_concurrency = 8\nupload_queue_bytes = \"256 MiB\"\nupload_retry_base_ms = 50\n" +
            "upload_retry_max_ms = 5000\nkeep_staged_segments = true\nupload_close_timeout_ms = 1000\n", Map.of());
        assertEquals(Path.of("/mnt/ephemeral/staging"), options.stagingDir());
        assertEquals(AckMode.remote, options.ack());
        assertEquals(1000, options.segmentMaxAgeMs(), "ack = remote seals at least every second by default");
        assertEquals(8, options.uploadConcurrency());
        assertEquals(256L << 20, options.uploadQueueBytes());
        assertEquals(50, options.uploadRetryBaseMs());
        assertEquals(5000, options.uploadRetryMaxMs());
        assertTrue(options.keepStagedSegments());
        assertEquals(1000, options.uploadCloseTimeoutMs());
    }

    @Test
    void shouldDefaultToLocalAcknowledgementAndDataStaging()
    {
        final WalOptions options = parse(HEAD, Map.of());
        assertEquals(AckMode.local, options.ack());
        assertEquals(WalOptions.DEFAULT_STAGING_DIR, options.stagingDir());
        assertEquals(WalOptions.DEFAULT_SEGMENT_MAX_AGE_MS, options.segmentMaxAgeMs());
        assertFalse(options.keepStagedSegments());
    }

    @Test
    void shouldReadBackendSectionsWithPerBucketOverrides()
    {
        final WalOptions options = parse(HEAD + "[storage.wal_config.s3]\nregion = \"us-west-2\"\npath_style = true\n" +
            "part_size_bytes = \"16 MiB\"\nendpoint = \"${S3_ENDPOINT:-http://127.0.0.1:9000}\"\n" +
            "[storage.wal_config.s3.\"b.2\"]\nregion = \"us-east-1\"\n" +
            "[storage.wal_config.adls]\naccount_key = \"${SECRET}\"\n" +
            "[storage.wal_config.gcs]\nproject_id = \"p\"\nlist_page_size = 100\n", Map.of("SECRET", "s3cr3t"));
        assertEquals(Map.of("region", "us-west-2", "path_style", "true", "part_size_bytes", "16777216",
            "endpoint", "http://127.0.0.1:9000"), options.backendSettings("s3", "b1"));
        assertEquals("us-east-1", options.backendSettings("s3", "b.2").get("region"), "a bucket name with a dot");
        assertEquals("true", options.backendSettings("s3", "b.2").get("path_style"));
        assertEquals("s3cr3t", options.backendSettings("adls", "acct").get("account_key"));
        assertEquals("100", options.backendSettings("gcs", "x").get("list_page_size"));
        assertFalse(options.toString().contains("s3cr3t"), "settings are never printed");
    }

    @Test
    void shouldRefuseSecretsInClear()
    {
        final String message = error(HEAD + "[storage.wal_config.adls]\naccount_key = \"Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1\"\n");
        assertTrue(message.startsWith("remote.toml:4:1: storage.wal_config.adls.account_key: a secret is never written " +
            "in clear"), message);
        assertFalse(message.contains("Eby8vdM02"), "the secret is not repeated in the error");
        assertTrue(error(HEAD + "[storage.wal_config.adls.\"acct\"]\nsas_token = \"sv=2020&sig=abc\"\n")
            .contains("storage.wal_config.adls.\"acct\".sas_token: a secret"));
    }

    @Test
    void shouldNameUnknownBackendKeysAndBadValues()
    {
        final String unknown = error(HEAD + "[storage.wal_config.s3]\nregoin = \"us-east-1\"\n");
        assertTrue(unknown.startsWith("remote.toml:4:1: storage.wal_config.s3.regoin: unknown s3 setting (did you mean " +
            "region?); known: endpoint, region"), unknown);
        final String table = error(HEAD + "s3 = 3\n");
        assertTrue(table.contains("storage.wal_config.s3: expected a table"), table);
        final String size = error(HEAD + "[storage.wal_config.gcs]\nchunk_size_bytes = \"lots\"\n");
        assertTrue(size.contains("storage.wal_config.gcs.chunk_size_bytes"), size);
        final String ack = error(HEAD + "ack = \"cloud\"\n");
        assertTrue(ack.contains("storage.wal_config.ack: unknown value \"cloud\""), ack);
        final String zeroAge = error(HEAD + "ack = \"remote\"\nsegment_max_age_ms = 0\n");
        assertTrue(zeroAge.contains("segment_max_age_ms = 0 with ack = \"remote\""), zeroAge);
    }
}
