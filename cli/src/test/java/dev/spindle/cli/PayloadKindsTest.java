package dev.spindle.cli;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code write --payload K} then {@code replay --verify-seed S --payload K} checks every payload of each kind, with
 * each codec (a wrong seed fails); {@code bench --codecs} runs with a configuration whose {@code codec_level} only its
 * own codec takes.
 */
class PayloadKindsTest
{
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"text,300,zstandard", "text,1000,deflate", "vectors,300,snappy", "vectors,301,zstandard",
        "vectors,64,null", "random,300,zstandard"})
    void writtenPayloadsVerify(final String kind, final String size, final String codec) throws Exception
    {
        final Path config = dir.resolve("spindle.toml");
        Files.writeString(config, "[storage.wal_config]\nwal_urls = [\"" + dir.resolve("a") + "\"]\n" +
            "disk_segment_size = \"256 KiB\"\ncodec = \"" + codec + "\"\n");
        CliRun run = CliRun.of("write", "--config", config.toString(), "--collections", "3", "--entries", "900",
            "--entry-size", size, "--threads", "2", "--seed", "5", "--quiet", "--payload", kind);
        assertEquals(0, run.code(), run.err());
        run = CliRun.of("replay", "--config", config.toString(), "--format", "count", "--verify-seed", "5",
            "--payload", kind);
        assertEquals(0, run.code(), run.err());
        run = CliRun.of("replay", "--config", config.toString(), "--format", "count", "--verify-seed", "6",
            "--payload", kind);
        assertEquals(1, run.code(), kind + ": the wrong seed fails: " + run.err());
    }

    @org.junit.jupiter.api.Test
    void benchCodecsWithAConfigThatSetsACodecLevel() throws Exception
    {
        final Path config = dir.resolve("lvl.toml");
        Files.writeString(config, "[storage.wal_config]\nwal_urls = [\"" + dir.resolve("l") + "\"]\n" +
            "codec = \"zstandard\"\ncodec_level = 9\n");
        final CliRun run = CliRun.of("bench", "--codecs", "--config", config.toString(), "--entries", "2000",
            "--entry-size", "256", "--repeat", "1", "--quiet");
        assertEquals(0, run.code(), run.err());
    }
}
