package dev.spindle.config;

import dev.spindle.wal.DistributionStrategy;
import dev.spindle.wal.IoMode;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.WalOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpindleConfigTest
{
    private static final Path EXAMPLES = Path.of("examples");

    @Test
    void shouldUseTheProximaDbDefaultsForAnEmptyTable()
    {
        final WalOptions options = SpindleConfig.parse("[storage.wal_config]\n", "t.toml", k -> null).options();
        assertEquals(List.of("data/wal"), options.walUrls());
        assertEquals(DistributionStrategy.LoadBalanced, options.distributionStrategy());
        assertTrue(options.collectionAffinity());
        assertEquals(1024 * 1024, options.memoryFlushSizeBytes());
        assertEquals(512L * 1024 * 1024, options.globalFlushThresholdBytes());
        assertEquals(SyncMode.PerBatch, options.syncMode());
        assertEquals(64L * 1024 * 1024, options.diskSegmentSizeBytes());
    }

    @ParameterizedTest
    @ValueSource(strings = {"local-multi-disk.toml", "cloud-multi-region.toml", "serverless.toml",
        "legacy-wal-dir.toml", "tuned-local.toml"})
    void shouldLoadEveryShippedExample(final String file)
    {
        final SpindleConfig.Loaded loaded = SpindleConfig.loadWithWarnings(EXAMPLES.resolve(file));
        assertFalse(loaded.options().walUrls().isEmpty());
        assertTrue(loaded.warnings().isEmpty(), loaded.warnings().toString());
    }

    @Test
    void shouldReadTheDesignExamplesAsWritten()
    {
        final WalOptions local = SpindleConfig.load(EXAMPLES.resolve("local-multi-disk.toml"));
        assertEquals(List.of("file:///mnt/nvme1/wal", "file:///mnt/nvme2/wal", "file:///mnt/nvme3/wal"), local.walUrls());
        assertEquals(DistributionStrategy.LoadBalanced, local.distributionStrategy());

        final WalOptions cloud = SpindleConfig.load(EXAMPLES.resolve("cloud-multi-region.toml"));
        assertEquals(3, cloud.walUrls().size());
        assertEquals(DistributionStrategy.Hash, cloud.distributionStrategy());

        final WalOptions serverless = SpindleConfig.load(EXAMPLES.resolve("serverless.toml"));
        assertEquals(2097152, serverless.memoryFlushSizeBytes());

        final WalOptions legacy = SpindleConfig.load(EXAMPLES.resolve("legacy-wal-dir.toml"));
        assertEquals(List.of("/workspace/data/wal"), legacy.walUrls());
    }

    @Test
    void shouldExpandEnvironmentReferencesWithDefaults()
    {
        final Map<String, String> env = Map.of("DISK", "/srv/d0");
        final WalOptions options = SpindleConfig.parse("[storage.wal_config]\n" +
            "wal_urls = [\"${DISK}/wal\", \"${OTHER:-/srv/d1}/wal\"]\nsync_mode = \"${MODE:-Periodic}\"\n",
            "t.toml", env::get).options();
        assertEquals(List.of("/srv/d0/wal", "/srv/d1/wal"), options.walUrls());
        assertEquals(SyncMode.Periodic, options.syncMode());
    }

    @Test
    void shouldAcceptSizesWithBinaryUnits()
    {
        final WalOptions options = SpindleConfig.parse("[storage.wal_config]\ndisk_segment_size = \"128 MiB\"\n" +
            "memory_flush_size_bytes = \"512KiB\"\nglobal_flush_threshold = 1073741824\nio_mode = \"mmap\"\n",
            "t.toml", k -> null).options();
        assertEquals(128L << 20, options.diskSegmentSizeBytes());
        assertEquals(512L << 10, options.memoryFlushSizeBytes());
        assertEquals(1L << 30, options.globalFlushThresholdBytes());
        assertEquals(IoMode.mmap, options.ioMode());
    }

    @Test
    void shouldReadTheCodecByItsAvroNameNullIncluded()
    {
        assertEquals(dev.spindle.wal.Codec.NULL, SpindleConfig.parse("[storage.wal_config]\ncodec = \"null\"\n",
            "t.toml", k -> null).options().codec());
        final WalOptions zstd = SpindleConfig.parse("[storage.wal_config]\ncodec = \"zstandard\"\ncodec_level = 9\n",
            "t.toml", k -> null).options();
        assertEquals(dev.spindle.wal.Codec.ZSTANDARD, zstd.codec());
        assertEquals(9, zstd.codecLevel());
    }

    @Test
    void shouldPreferWalUrlsOverLegacyWalDirAndSaySo()
    {
        final SpindleConfig.Loaded loaded = SpindleConfig.parse("[storage]\nwal_dir = \"/old\"\n" +
            "[storage.wal_config]\nwal_urls = [\"/new\"]\n", "t.toml", k -> null);
        assertEquals(List.of("/new"), loaded.options().walUrls());
        assertEquals(1, loaded.warnings().size());
        assertTrue(loaded.warnings().get(0).contains("t.toml:2:1: storage.wal_dir is ignored"));
    }

    @Test
    void shouldLeaveTheHostApplicationsOtherKeysAlone()
    {
        final WalOptions options = SpindleConfig.parse("[server]\nport = 5678\n[storage]\ndata_dirs = [\"/d\"]\n" +
            "wal_dir = \"/w\"\n", "t.toml", k -> null).options();
        assertEquals(List.of("/w"), options.walUrls());
    }

    @Test
    void shouldNameTheMissingFile(@org.junit.jupiter.api.io.TempDir final Path dir)
    {
        final ConfigException ex = assertThrows(ConfigException.class,
            () -> SpindleConfig.load(dir.resolve("missing.toml")));
        assertTrue(ex.getMessage().endsWith("missing.toml: no such configuration file"), ex.getMessage());
    }

    @Test
    void shouldNameTheFileLineAndByteOffsetOfAByteThatIsNotUtf8(@org.junit.jupiter.api.io.TempDir final Path dir)
        throws Exception
    {
        final Path file = dir.resolve("latin1.toml");
        // "# café" in ISO-8859-1: 0xE9 starts a three-byte sequence, and a newline cannot continue it
        Files.write(file, "[storage.wal_config]\n# caf\u00e9\nsync_mode = \"Always\"\n"
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        final ConfigException ex = assertThrows(ConfigException.class, () -> SpindleConfig.load(file));
        assertEquals(file + ":2:6: byte 26 (0xE9) is not UTF-8; save the file as UTF-8, as TOML requires",
            ex.getMessage());
    }

    @Test
    void shouldReadAFile(@org.junit.jupiter.api.io.TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("spindle.toml");
        Files.writeString(file, "[storage.wal_config]\nwal_urls = [\"" + dir.resolve("wal") + "\"]\nsync_mode = \"Always\"\n");
        assertEquals(SyncMode.Always, SpindleConfig.load(file).syncMode());
    }
}
