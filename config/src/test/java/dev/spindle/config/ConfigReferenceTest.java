package dev.spindle.config;

import dev.spindle.fs.Sizes;
import dev.spindle.wal.WalConfigKey;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's configuration reference lists every key of {@link WalConfigKey} with the default the table computes
 * from the options themselves, so the manual cannot drift from the code.
 */
class ConfigReferenceTest
{
    @Test
    void shouldDocumentEveryKeyWithItsDefaultInTheReadme() throws Exception
    {
        final String readme = Files.readString(Path.of("..", "README.md"));
        for (final WalConfigKey key : WalConfigKey.values())
        {
            final String row = "| `" + key.key() + "` | " + defaultCell(key) + " |";
            assertTrue(readme.contains(row), "README.md's configuration reference should have the row\n  " + row);
        }
    }

    /** The README writes a size as {@code `1048576` (1 MiB)}, anything else as TOML in backticks. */
    private static String defaultCell(final WalConfigKey key)
    {
        if (key.type() == WalConfigKey.Type.SIZE)
        {
            final long bytes = ((Number)key.get(dev.spindle.wal.WalOptions.builder().build())).longValue();
            return "`" + bytes + "` (" + Sizes.format(bytes) + ")";
        }
        return "`" + key.defaultValue() + "`";
    }
}
