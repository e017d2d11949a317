package dev.spindle.fs.gcs;

import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import dev.spindle.fs.WalFileSystem;
import dev.spindle.fs.WalFileSystemProvider;
import dev.spindle.fs.WalFileSystems;
import dev.spindle.testkit.GcsTestServer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GcsFileSystemProviderTest
{
    private static final GcsTestServer SERVER = GcsTestServer.shared();

    private static WalFileSystemProvider provider()
    {
        return WalFileSystems.provider("gcs").orElseThrow();
    }

    private static Map<String, String> settingsWith(final String key, final String value)
    {
        final Map<String, String> settings = new HashMap<>(SERVER.settings());
        settings.put(key, value);
        return settings;
    }

    @Test
    void shouldBeFoundThroughTheServiceLoaderForGcsAndGs()
    {
        assertTrue(WalFileSystems.provider("gcs").isPresent());
        assertTrue(WalFileSystems.provider("GS").isPresent());
        assertSame(GcsFileSystemProvider.class, WalFileSystems.provider("gs").orElseThrow().getClass());
        assertEquals(Set.of("gcs", "gs"), provider().schemes());
        assertFalse(WalFileSystems.provider("s3").isPresent());
    }

    @Test
    void shouldDeclareTheAcceptedSettingsInDocumentationOrder()
    {
        assertEquals(List.of("endpoint", "project_id", "credentials", "chunk_size_bytes", "resumable_threshold_bytes",
            "list_page_size"), provider().settings().keys());
        assertEquals("gcs", provider().section());
    }

    @Test
    void shouldTakeSizesWithUnitsAndAZeroThreshold()
    {
        final GcsSettings settings = GcsSettings.parse(Map.of("chunk_size_bytes", "16 MiB",
            "resumable_threshold_bytes", "0", "credentials", "NONE"));
        assertEquals(16 * 1024 * 1024, settings.chunkSize());
        assertEquals(0, settings.resumableThreshold());
        assertEquals(GcsSettings.Credentials.NONE, settings.credentials());
    }

    @Test
    void shouldDefaultToGooglesEndpointAndApplicationDefaultCredentials()
    {
        final GcsSettings defaults = GcsSettings.parse(Map.of());
        assertNull(defaults.endpoint());
        assertNull(defaults.projectId());
        assertEquals(GcsSettings.Credentials.DEFAULT, defaults.credentials());
        assertEquals(8 * 1024 * 1024, defaults.chunkSize());
        assertEquals(8 * 1024 * 1024, defaults.resumableThreshold());
        assertEquals(1000, defaults.listPageSize());
    }

    @Test
    void shouldRefuseBadUrlsNamingThem()
    {
        for (final String url : List.of("gcs:///no-bucket", "gcs://Upper-Case/wal", "gcs://ab/wal", "gcs://-dash/wal",
            "gcs://goog-bucket/wal", "gcs://bucket/a/../b", "gcs://bucket//a", "gcs://bucket/wal?x=1",
            "gcs://user@bucket/wal", "s3://bucket/wal"))
        {
            final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> provider().open(URI.create(url), SERVER.settings()), url);
            assertTrue(error.getMessage().startsWith(url + ": "), error.getMessage());
        }
    }

    @Test
    void shouldRefuseUnknownKeysAndBadValuesNamingTheKeyAndWhatItAccepts()
    {
        assertRefused("chunk_size", "8388608", "[storage.wal_config.gcs] chunk_size: unknown gcs setting (did you " +
            "mean chunk_size_bytes?); known: endpoint, project_id, credentials, chunk_size_bytes, " +
            "resumable_threshold_bytes, list_page_size");
        assertRefused("chunk_size_bytes", "1000000", "[storage.wal_config.gcs] chunk_size_bytes: expected a multiple " +
            "of 262144");
        assertRefused("chunk_size_bytes", "8 MB", "[storage.wal_config.gcs] chunk_size_bytes: expected a size from " +
            "262144 (256 KiB) to 1073741824 (1 GiB)");
        assertRefused("resumable_threshold_bytes", "-1", "[storage.wal_config.gcs] resumable_threshold_bytes: " +
            "expected a size of at least 0");
        assertRefused("list_page_size", "1001", "[storage.wal_config.gcs] list_page_size: expected a whole number " +
            "from 1 to 1000, got \"1001\"");
        assertRefused("list_page_size", "0", "[storage.wal_config.gcs] list_page_size: expected");
        assertRefused("endpoint", "ftp://host", "[storage.wal_config.gcs] endpoint: expected a host URL");
        assertRefused("endpoint", "http://host/storage/v1", "[storage.wal_config.gcs] endpoint:");
        assertRefused("project_id", "my project", "[storage.wal_config.gcs] project_id:");
        final String secret = "{\"private_key\": \"-----BEGIN PRIVATE KEY-----\"}";
        final IllegalArgumentException error = assertRefused("credentials", secret,
            "[storage.wal_config.gcs] credentials: unknown value; accepted: \"default\"");
        assertFalse(error.getMessage().contains("PRIVATE"), "a bad credentials value is never echoed");
    }

    private static IllegalArgumentException assertRefused(final String key, final String value, final String message)
    {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> provider().open(URI.create(SERVER.url("settings")), settingsWith(key, value)), key + "=" + value);
        assertTrue(error.getMessage().startsWith(message), error.getMessage());
        return error;
    }

    @Test
    void shouldServeGsUrlsAndGcsUrlsOfTheSamePrefixAlike() throws Exception
    {
        final Path source = Files.writeString(Files.createTempFile("gcs", ".seg"), "same object");
        try (WalFileSystem gs = provider().open(URI.create("gs://" + GcsTestServer.BUCKET + "/alias/"), SERVER.settings());
            WalFileSystem gcs = provider().open(URI.create(SERVER.url("alias")), SERVER.settings()))
        {
            assertTrue(gs.putIfAbsent("c/1", source));
            assertFalse(gcs.putIfAbsent("c/1", source));
            final ByteBuffer read = ByteBuffer.allocate(64);
            assertEquals(11, gcs.read("c/1", 0, read));
            assertEquals("same object", new String(read.array(), 0, 11, StandardCharsets.UTF_8));
            assertEquals(1, SERVER.creations("alias/c/1"));
        }
        finally
        {
            Files.delete(source);
        }
    }

    @Test
    void shouldSkipObjectsWhoseNamesAreNotKeysWhenListing() throws Exception
    {
        final Path source = Files.writeString(Files.createTempFile("gcs", ".seg"), "x");
        try (WalFileSystem fs = provider().open(URI.create(SERVER.url("foreign")), SERVER.settings()))
        {
            fs.putIfAbsent("c/1", source);
            // written by something else: a console "folder" placeholder and a name with an empty part
            final Storage raw = GcsFileSystemProvider.client(GcsSettings.parse(SERVER.settings()));
            try
            {
                for (final String name : List.of("foreign/c/", "foreign/c//2", "foreign/c/../3"))
                {
                    raw.create(BlobInfo.newBuilder(GcsTestServer.BUCKET, name).build(), new byte[1]);
                }
            }
            finally
            {
                raw.close();
            }
            assertEquals(List.of("c/1"), fs.list("c/", null).keys());
        }
        finally
        {
            Files.delete(source);
        }
    }
}
