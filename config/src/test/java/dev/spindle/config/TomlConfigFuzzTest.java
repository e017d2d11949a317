package dev.spindle.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.spindle.wal.WalOptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Invariant 5 for configuration files, by fuzzing: any bytes, as a TOML file, load into options or are refused
 * with a {@link ConfigException} whose message starts with the file's name ({@code file:line:column:} where the
 * parser gives a position). Any other exception, a StackOverflowError, or the parser's stack overflowing at all
 * (the backstop message: {@link NestingLimit} must refuse such nesting first) is a finding.
 *
 * <p>The file is read as {@link SpindleConfig#loadWithWarnings} reads it, with a fixed environment for
 * {@code ${NAME}} references instead of the process's, so that a finding reproduces on every machine.
 *
 * <p>Seeds: the shipped examples, the README's backend sections and a few of the malformed files of the tests, in
 * {@code TomlConfigFuzzTestInputs/load}, plus every input that once failed.
 */
class TomlConfigFuzzTest
{
    /** Inputs above this are not run: a configuration file is a few KiB. */
    private static final int MAX_INPUT_BYTES = 256 * 1024;
    private static final Map<String, String> ENVIRONMENT = Map.of(
        "SPINDLE_WAL_ROOT", "/var/lib/spindle",
        "AZURE_STORAGE_KEY", "a2V5",
        "OTHER_SAS", "sv=2024&sig=x",
        "HOME", "/home/spindle");

    @TempDir
    Path dir;

    @FuzzTest(maxDuration = "30s")
    @Timeout(10)
    void load(final byte[] bytes) throws IOException
    {
        if (bytes.length > MAX_INPUT_BYTES)
        {
            return;
        }
        final Path file = dir.resolve("spindle.toml");
        Files.write(file, bytes);
        try
        {
            final SpindleConfig.Loaded loaded = SpindleConfig.parse(ConfigFile.read(file), file.toString(),
                ENVIRONMENT::get);
            final WalOptions options = loaded.options();
            assertNotNull(options);
            assertFalse(options.walUrls().isEmpty(), "options without a lane");
            loaded.warnings().forEach(w -> assertTrue(w.startsWith(file + ":"), () -> "warning without the file: " + w));
        }
        catch (final ConfigException ex)
        {
            final String message = ex.getMessage();
            if (message == null || !message.startsWith(file + ":"))
            {
                fail("the error does not start with " + file + ": " + message, ex);
            }
            // by the cause, not the message: Jazzer steers inputs towards strings a test compares with, and once
            // put the phrase into a URL the error then quoted
            if (ex.getCause() instanceof StackOverflowError)
            {
                fail("the parser's stack overflowed: the nesting limit let this through: " + message, ex);
            }
        }
    }
}
