package dev.spindle.fs.s3;

import dev.spindle.fs.WalFileSystemProvider;
import dev.spindle.fs.WalFileSystems;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Finding the backend, and refusing bad URLs and settings before any client is built. Needs no server. */
class S3FileSystemProviderTest
{
    private static final Map<String, String> LOCAL = Map.of("endpoint", "http://127.0.0.1:1", "region", "us-east-1",
        "path_style", "true");

    private final WalFileSystemProvider provider = WalFileSystems.provider("s3").orElseThrow();

    @Test
    void shouldBeFoundByItsSchemeThroughTheServiceLoader()
    {
        assertTrue(provider instanceof S3FileSystemProvider);
        assertTrue(WalFileSystems.provider("S3").isPresent());
        assertEquals(List.of("endpoint", "region", "path_style", "part_size_bytes", "multipart_threshold_bytes",
            "max_concurrency", "list_page_size"), provider.settings().keys());
        assertEquals("s3", provider.section());
        assertEquals(List.of(), provider.settings().secrets(), "credentials come from the SDK's chain, never settings");
    }

    @Test
    void shouldNameTheUrlWhenItIsNotABucketAndPrefix()
    {
        for (final String url : List.of("s3:bucket", "s3:///prefix", "s3://Upper/x", "s3://ab/x", "s3://under_score/x",
            "s3://bucket-/x", "s3://a..b/x", "s3://192.168.1.1/x", "s3://bucket:9000/x", "s3://me@bucket/x",
            "s3://bucket/x?versionId=1", "s3://bucket/x#y", "s3://bucket/a//b", "s3://bucket/a/../b",
            "s3://bucket/./a", "gs://bucket/x"))
        {
            final IllegalArgumentException failure =
                assertThrows(IllegalArgumentException.class, () -> provider.open(URI.create(url), LOCAL), url);
            assertTrue(failure.getMessage().contains(url), failure.getMessage());
        }
    }

    @Test
    void shouldOpenABucketWithOrWithoutAPrefix() throws Exception
    {
        for (final String url : List.of("s3://bucket", "s3://bucket/", "s3://my.bucket-1/wal", "s3://bucket/a/b/"))
        {
            provider.open(URI.create(url), LOCAL).close();
        }
        assertEquals("s3://bucket/a/b/", S3Location.parse(URI.create("s3://bucket/a/b/")).toString());
        assertEquals("", S3Location.parse(URI.create("s3://bucket")).prefix);
        assertEquals("wal/x", S3Location.parse(URI.create("s3://bucket/wal")).objectKey("x"));
    }

    @Test
    void shouldNameTheSettingAndWhatItAcceptsWhenAValueIsBad()
    {
        assertBad("part_size_bytes", "1048576", "5242880");
        assertBad("part_size_bytes", "8 MB", "5242880");
        assertBad("multipart_threshold_bytes", "-1", "5242880");
        assertBad("max_concurrency", "0", "1 to 1024");
        assertBad("list_page_size", "1001", "1 to 1000");
        assertBad("list_page_size", "0", "1 to 1000");
        assertBad("path_style", "yes", "true or false");
        assertBad("endpoint", "127.0.0.1:9000", "http");
        assertBad("endpoint", "ftp://host", "http");
        assertBad("endpoint", "http://host/bucket", "no path");
        assertBad("region", "US East 1", "region");
    }

    @Test
    void shouldRefuseUnknownSettingsWithoutRepeatingTheirValue()
    {
        final IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
            () -> provider.open(URI.create("s3://bucket/x"), Map.of("secret_access_key", "hunter2")));
        assertTrue(failure.getMessage().startsWith("[storage.wal_config.s3] secret_access_key: unknown s3 setting"),
            failure.getMessage());
        assertTrue(failure.getMessage().contains("endpoint, region, path_style"), failure.getMessage());
        assertTrue(failure.getMessage().contains("default chain"), failure.getMessage());
        assertFalse(failure.getMessage().contains("hunter2"), failure.getMessage());

        final IllegalArgumentException typo = assertThrows(IllegalArgumentException.class,
            () -> provider.open(URI.create("s3://bucket/x"), Map.of("pathstyle", "true")));
        assertTrue(typo.getMessage().startsWith("[storage.wal_config.s3] pathstyle: unknown s3 setting (did you mean " +
            "path_style?)"), typo.getMessage());
    }

    @Test
    void shouldAcceptEverySettingAtItsLimits() throws Exception
    {
        final Map<String, String> settings = Map.of("endpoint", "https://s3.example.com:9000/", "region", "eu-west-1",
            "path_style", "FALSE", "part_size_bytes", "5242880", "multipart_threshold_bytes", "5242880",
            "max_concurrency", "1024", "list_page_size", "1");
        provider.open(URI.create("s3://bucket/x"), settings).close();
        provider.open(URI.create("s3://bucket/x"), Map.of("part_size_bytes", "64 MiB", "multipart_threshold_bytes",
            "16 MiB")).close();
        provider.open(URI.create("s3://bucket/x"), Map.of()).close();
    }

    private void assertBad(final String key, final String value, final String accepted)
    {
        final IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
            () -> provider.open(URI.create("s3://bucket/x"), Map.of(key, value)), key + "=" + value);
        assertTrue(failure.getMessage().startsWith("[storage.wal_config.s3] " + key + ": expected"), failure.getMessage());
        assertTrue(failure.getMessage().contains(accepted), failure.getMessage());
    }
}
