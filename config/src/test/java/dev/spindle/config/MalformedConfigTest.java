package dev.spindle.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each malformed file must be refused with a message that names the file, line and column, the key,
 * and what would be accepted.
 */
class MalformedConfigTest
{
    private static final String HEAD = "[storage.wal_config]\n";

    static Stream<Arguments> malformed()
    {
        return Stream.of(
            bad("toml syntax", HEAD + "wal_urls = [\n",
                "bad.toml:3:1: TOML syntax error"),
            bad("unknown key with suggestion", HEAD + "sync_mod = \"PerBatch\"\n",
                "bad.toml:2:1: storage.wal_config.sync_mod: unknown key (did you mean sync_mode?)", "known keys:"),
            bad("unknown key without suggestion", HEAD + "banana = 1\n",
                "bad.toml:2:1: storage.wal_config.banana: unknown key; known keys: wal_urls"),
            bad("boolean as string", HEAD + "collection_affinity = \"yes\"\n",
                "bad.toml:2:1: storage.wal_config.collection_affinity: expected true or false, found the string \"yes\""),
            bad("integer as string", HEAD + "ring_buffer_size = \"big\"\n",
                "bad.toml:2:1: storage.wal_config.ring_buffer_size: expected an integer, found the string \"big\""),
            bad("float for integer", HEAD + "flush_interval_ms = 1.5\n",
                "bad.toml:2:1: storage.wal_config.flush_interval_ms: expected an integer, found the float 1.5"),
            bad("negative size", HEAD + "disk_segment_size = -1\n",
                "bad.toml:2:1: storage.wal_config.disk_segment_size: is -1; give a positive number of bytes"),
            bad("zero size", HEAD + "\nmemory_flush_size_bytes = 0\n",
                "bad.toml:3:1: storage.wal_config.memory_flush_size_bytes: is 0; give a positive number of bytes"),
            bad("size words", HEAD + "global_flush_threshold = \"64 megabytes\"\n",
                "bad.toml:2:1: storage.wal_config.global_flush_threshold: \"64 megabytes\" is not a positive size",
                "\"64 MiB\""),
            bad("negative duration", HEAD + "segment_max_age_ms = -5\n",
                "bad.toml:2:1: storage.wal_config.segment_max_age_ms: is -5; give a positive integer"),
            bad("empty wal_urls", HEAD + "wal_urls = []\n",
                "bad.toml:2:1: storage.wal_config.wal_urls: is empty; give at least one directory or URL"),
            bad("duplicated wal_urls", HEAD + "wal_urls = [\"/srv/a\", \"/srv/b\", \"/srv/a\"]\n",
                "bad.toml:2:33: storage.wal_config.wal_urls[2]: \"/srv/a\" repeats storage.wal_config.wal_urls[0]"),
            bad("wal_urls not an array", HEAD + "wal_urls = \"data/wal\"\n",
                "bad.toml:2:1: storage.wal_config.wal_urls: expected an array of strings",
                "found the string \"data/wal\""),
            bad("wal_urls element not a string", HEAD + "wal_urls = [\"/srv/a\", 2]\n",
                "bad.toml:2:23: storage.wal_config.wal_urls[1]: expected a string, found the integer 2"),
            bad("unsupported scheme", HEAD + "wal_urls = [\"ftp://host/wal\"]\n",
                "bad.toml:2:13: storage.wal_config.wal_urls: entry 0 = \"ftp://host/wal\": unsupported URL scheme 'ftp'",
                "s3://"),
            bad("file url on another host", HEAD + "wal_urls = [\"file://otherhost/wal\"]\n",
                "bad.toml:2:13: storage.wal_config.wal_urls:", "must be local", "otherhost"),
            bad("s3 url without bucket", HEAD + "wal_urls = [\"s3:///wal\"]\n",
                "bad.toml:2:13: storage.wal_config.wal_urls:", "s3:// needs a bucket"),
            bad("dot-dot in url", HEAD + "wal_urls = [\"s3://bucket/../wal\"]\n",
                "bad.toml:2:13:", "'.' and '..' are not allowed"),
            bad("nested lanes", HEAD + "wal_urls = [\"/srv/wal\", \"/srv/wal/inner\"]\n",
                "bad.toml:2:1: storage.wal_config.wal_urls:", "are nested"),
            bad("unknown sync_mode", HEAD + "sync_mode = \"Sometimes\"\n",
                "bad.toml:2:1: storage.wal_config.sync_mode: unknown value \"Sometimes\"; expected one of Always, " +
                "PerBatch, Periodic, Never, MemoryOnly"),
            bad("sync_mode in the wrong case", HEAD + "sync_mode = \"perbatch\"\n",
                "bad.toml:2:1: storage.wal_config.sync_mode: unknown value \"perbatch\" (values are case-sensitive: " +
                "did you mean \"PerBatch\"?)"),
            bad("unknown distribution_strategy", HEAD + "distribution_strategy = \"Random\"\n",
                "bad.toml:2:1: storage.wal_config.distribution_strategy: unknown value \"Random\"; expected one of " +
                "RoundRobin, Hash, LoadBalanced"),
            bad("unknown io_mode", HEAD + "io_mode = \"direct\"\n",
                "bad.toml:2:1: storage.wal_config.io_mode: unknown value \"direct\"; expected one of mmap, pwrite"),
            bad("unknown codec", HEAD + "codec = \"lz4\"\n",
                "bad.toml:2:1: storage.wal_config.codec: unknown value \"lz4\"; expected one of null, zstandard, " +
                "snappy, deflate"),
            bad("codec in upper case", HEAD + "codec = \"ZSTANDARD\"\n",
                "bad.toml:2:1: storage.wal_config.codec: unknown value \"ZSTANDARD\" (values are case-sensitive: did " +
                "you mean \"zstandard\"?); expected one of null, zstandard, snappy, deflate"),
            bad("codec_level the codec does not take", HEAD + "codec = \"snappy\"\ncodec_level = 3\n",
                "bad.toml:3:1: storage.wal_config.codec_level is 3, but codec \"snappy\" takes no level: remove " +
                "codec_level, or set it to 0"),
            bad("enum as integer", HEAD + "wait_strategy = 3\n",
                "bad.toml:2:1: storage.wal_config.wait_strategy: expected a string, one of blocking, backoff, " +
                "sleeping, yielding, busy_spin; found the integer 3"),
            bad("unset environment variable", HEAD + "wal_urls = [\"${SPINDLE_TEST_UNSET}/wal\"]\n",
                "bad.toml:2:13: storage.wal_config.wal_urls[0]: environment variable SPINDLE_TEST_UNSET is not set"),
            bad("malformed environment reference", HEAD + "wal_urls = [\"${BROKEN/wal\"]\n",
                "bad.toml:2:13: storage.wal_config.wal_urls[0]: malformed ${...} reference"),
            bad("ring not a power of two", HEAD + "\n\nring_buffer_size = 1000\n",
                "bad.toml:4:1: storage.wal_config.ring_buffer_size is 1000: give a power of two, e.g. 512 or 1024"),
            bad("segment too small", HEAD + "disk_segment_size = 1024\n",
                "bad.toml:2:1: storage.wal_config.disk_segment_size is 1024: give at least 65536 bytes"),
            bad("segment of one byte, whose derived max_entry_size_bytes is 0", HEAD + "disk_segment_size = 1\n",
                "bad.toml:2:1: storage.wal_config.disk_segment_size is 1: give at least 65536 bytes"),
            bad("ring larger than the bound", HEAD + "ring_buffer_size = 1073741824\n",
                "bad.toml:2:1: storage.wal_config.ring_buffer_size is 1073741824: give at most 1048576"),
            bad("NUL in staging_dir", HEAD + "staging_dir = \"a\\u0000b\"\n",
                "bad.toml:2:1: storage.wal_config.staging_dir: is not a valid path (Nul character not allowed); give " +
                "a local directory"),
            bad("entry larger than half a segment", HEAD + "disk_segment_size = \"1 MiB\"\nmax_entry_size_bytes = \"1 MiB\"\n",
                "bad.toml:3:1: storage.wal_config.max_entry_size_bytes (1048576) must be at most half of disk_segment_size"),
            bad("too many sync threads", HEAD + "sync_parallelism = 100\n",
                "bad.toml:2:1: storage.wal_config.sync_parallelism: is 100; give at most 64"),
            bad("wal_config not a table", "[storage]\nwal_config = 5\n",
                "bad.toml:2:1: storage.wal_config must be a table"),
            bad("legacy wal_dir not a string", "[storage]\nwal_dir = 5\n",
                "bad.toml:2:1: storage.wal_dir: expected a string (a directory), found the integer 5"),
            bad("legacy wal_dir with a bad scheme", "[storage]\nwal_dir = \"ftp://x/wal\"\n",
                "bad.toml:2:1: storage.wal_dir:", "unsupported URL scheme 'ftp'"),
            // found by TomlConfigFuzzTest: tomlj threw these as its own exceptions, naming no file
            bad("bad escape in a quoted table name", "[storage.\"wal\\E\"]\n",
                "bad.toml:1:14: TOML syntax error: Invalid escape sequence '\\E'"),
            bad("empty key", HEAD + "\"\" = 1\n",
                "bad.toml:2:1: storage.wal_config.: unknown key"),
            bad("key with a quote", HEAD + "'a\"b' = 1\n",
                "bad.toml:2:1: storage.wal_config.a\"b: unknown key"),
            bad("key with a dot", HEAD + "\"sync.mode\" = 1\n",
                "bad.toml:2:1: storage.wal_config.sync.mode: unknown key"),
            // and with -ea (as tests run), a u-escape of two hex digits was an AssertionError out of tomlj
            bad("unicode escape of two hex digits", HEAD + "wal_urls = [\"/srv/\\u12\"]\n", "bad.toml:",
                "TOML syntax error"));
    }

    private static Arguments bad(final String name, final String toml, final String... fragments)
    {
        return Arguments.of(name, toml, fragments);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void shouldRefuseWithFileLineColumnKeyAndWhatIsAccepted(final String name, final String toml,
        final String[] fragments)
    {
        final ConfigException ex = assertThrows(ConfigException.class,
            () -> SpindleConfig.parse(toml, "bad.toml", Map.<String, String>of()::get));
        for (final String fragment : fragments)
        {
            assertTrue(ex.getMessage().contains(fragment),
                () -> name + ": message\n  " + ex.getMessage() + "\nshould contain\n  " + fragment);
        }
    }
}
