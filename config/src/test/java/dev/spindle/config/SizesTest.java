package dev.spindle.config;

import dev.spindle.fs.Sizes;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sizes as the TOML file, backend settings and the command line take them ({@link Sizes}, shared with the backends).
 */
class SizesTest
{
    @Test
    void shouldReadBytesAndBinaryUnits()
    {
        assertEquals(4096, Sizes.parse("4096"));
        assertEquals(512 * 1024, Sizes.parse("512KiB"));
        assertEquals(64L << 20, Sizes.parse(" 64 MiB "));
        assertEquals(2L << 30, Sizes.parse("2 GiB"));
        assertEquals(1L << 40, Sizes.parse("1TiB"));
    }

    @Test
    void shouldRefuseWhatIsNotAPositiveSize()
    {
        for (final String bad : new String[]{"0", "-1", "64 MB", "lots", "", "99999999999 TiB"})
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> Sizes.parse(bad), bad);
            assertTrue(ex.getMessage().contains("is not a positive size"), ex.getMessage());
        }
    }
}
