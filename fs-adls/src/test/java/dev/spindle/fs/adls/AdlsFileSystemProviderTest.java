package dev.spindle.fs.adls;

import dev.spindle.fs.WalFileSystemProvider;
import dev.spindle.fs.WalFileSystems;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** URL and settings handling: no server needed, nothing here opens a connection. */
class AdlsFileSystemProviderTest
{
    private static final String KEY = "c2VjcmV0LWtleS1ieXRlcw==";

    private static WalFileSystemProvider provider()
    {
        return WalFileSystems.provider("adls").orElseThrow();
    }

    @Test
    void shouldBeFoundForAdlsAbfsAndAbfssThroughTheServiceLoader()
    {
        for (final String scheme : List.of("adls", "abfs", "abfss", "ABFSS"))
        {
            assertInstanceOf(AdlsFileSystemProvider.class, WalFileSystems.provider(scheme).orElseThrow(), scheme);
        }
        assertEquals(java.util.Set.of("adls", "abfs", "abfss"), provider().schemes());
    }

    @Test
    void shouldParseBothUrlFormsToTheSameLocation()
    {
        final AdlsLocation adls = AdlsLocation.parse(URI.create("adls://acct1.dfs.core.windows.net/wal-data/a/b"));
        assertEquals(new AdlsLocation("acct1", "wal-data", "a/b", "core.windows.net"), adls);
        assertEquals(adls, AdlsLocation.parse(URI.create("abfss://wal-data@acct1.dfs.core.windows.net/a/b/")));
        assertEquals(adls, AdlsLocation.parse(URI.create("abfs://wal-data@acct1.dfs.core.windows.net/a/b")));
        assertEquals(adls, AdlsLocation.parse(URI.create("ADLS://ACCT1.DFS.core.windows.net/wal-data/a/b")));

        final AdlsLocation root = AdlsLocation.parse(URI.create("abfss://wal-data@acct1.dfs.core.windows.net"));
        assertEquals(root, AdlsLocation.parse(URI.create("adls://acct1.dfs.core.windows.net/wal-data/")));
        assertEquals("", root.prefix());
        assertEquals("", root.blobPrefix());
        assertEquals("a/b/", adls.blobPrefix());
        assertEquals("https://acct1.blob.core.windows.net", adls.defaultEndpoint());
        assertEquals("https://acct1.blob.core.chinacloudapi.cn",
            AdlsLocation.parse(URI.create("adls://acct1.dfs.core.chinacloudapi.cn/wal")).defaultEndpoint());
    }

    @Test
    void shouldRefuseBadUrlsNamingThem()
    {
        for (final String url : List.of(
            "adls://ab.dfs.core.windows.net/wal",                       // account too short
            "adls://acct-1.dfs.core.windows.net/wal",                   // hyphen in account
            "adls://acct1.blob.core.windows.net/wal",                   // not the DFS host
            "adls://acct1.dfs.core.windows.net/",                       // no container
            "adls://acct1.dfs.core.windows.net/Wal",                    // upper case container
            "adls://acct1.dfs.core.windows.net/wal--x",                 // double hyphen
            "adls://acct1.dfs.core.windows.net/wal-",                   // trailing hyphen
            "adls://acct1.dfs.core.windows.net/wal/a/../b",             // '..' in the prefix
            "adls://acct1.dfs.core.windows.net/wal/a//b",               // empty part in the prefix
            "adls://acct1.dfs.core.windows.net:443/wal",                // port
            "adls://wal@acct1.dfs.core.windows.net/x",                  // abfs form with adls scheme
            "abfss://acct1.dfs.core.windows.net/wal",                   // abfs without container@
            "abfss://wal@acct1.dfs.core.windows.net/a/./b"))
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> provider().open(URI.create(url), Map.of("account_key", KEY)), url);
            assertTrue(ex.getMessage().contains(url), ex.getMessage());
        }
        final IllegalArgumentException sas = assertThrows(IllegalArgumentException.class,
            () -> provider().open(URI.create("adls://acct1.dfs.core.windows.net/wal?sv=1&sig=SECRET"), Map.of()));
        assertTrue(sas.getMessage().contains("adls://acct1.dfs.core.windows.net/wal"), sas.getMessage());
        assertFalse(sas.getMessage().contains("SECRET"), "a SAS in the URL is not echoed: " + sas.getMessage());
    }

    @Test
    void shouldRefuseUnknownKeysAndBadValuesNamingTheKey()
    {
        assertRefused(Map.of("bogus", "1"), "bogus");
        assertRefused(Map.of("list_page_size", "0"), "list_page_size");
        assertRefused(Map.of("list_page_size", "5001"), "list_page_size");
        assertRefused(Map.of("list_page_size", "ten"), "list_page_size");
        assertRefused(Map.of("block_size_bytes", "1"), "block_size_bytes");
        assertRefused(Map.of("max_concurrency", "0"), "max_concurrency");
        assertRefused(Map.of("single_upload_max_bytes", "-1"), "single_upload_max_bytes");
        assertRefused(Map.of("create_container", "yes"), "create_container");
        assertRefused(Map.of("endpoint", "ftp://host/x"), "endpoint");
        assertRefused(Map.of("endpoint", "https://host/x?sig=SECRET"), "endpoint");
        assertRefused(Map.of("account_key", "SECRET not base64!"), "account_key");
        assertRefused(Map.of("sas_token", " "), "sas_token");
        assertRefused(Map.of("account_key", KEY, "sas_token", "sv=1&sig=SECRET"), "at most one of");
    }

    @Test
    void shouldAcceptEveryDocumentedKey() throws Exception
    {
        final Map<String, String> settings = new HashMap<>();
        settings.put("endpoint", "http://127.0.0.1:1/devstoreaccount1");
        settings.put("account_key", KEY);
        settings.put("block_size_bytes", "4194304");
        settings.put("max_concurrency", "8");
        settings.put("single_upload_max_bytes", "1048576");
        settings.put("list_page_size", "5000");
        settings.put("create_container", "false");
        assertTrue(provider().settings().keys().containsAll(settings.keySet()));
        assertEquals(List.of("connection_string", "sas_token", "account_key"), provider().settings().secrets());
        assertEquals("adls", provider().section());
        try (var fs = provider().open(URI.create("adls://acct1.dfs.core.windows.net/wal"), settings))
        {
            assertFalse(fs.toString().contains(KEY), fs.toString());
        }
        final AdlsSettings defaults = AdlsSettings.parse(Map.of());
        assertEquals(8L << 20, defaults.blockSizeBytes());
        assertEquals(4, defaults.maxConcurrency());
        assertEquals(16L << 20, defaults.singleUploadMaxBytes());
        assertEquals(1000, defaults.listPageSize());
        assertFalse(defaults.createContainer());
        assertEquals("DefaultAzureCredential", defaults.credentialKind());
    }

    private static void assertRefused(final Map<String, String> settings, final String key)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> provider().open(URI.create("adls://acct1.dfs.core.windows.net/wal"), settings), settings.toString());
        assertTrue(ex.getMessage().startsWith("[storage.wal_config.adls] "), ex.getMessage());
        assertTrue(ex.getMessage().contains(key), ex.getMessage());
        assertFalse(ex.getMessage().contains("SECRET"), "secrets stay out of messages: " + ex.getMessage());
    }
}
