package dev.spindle.config;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A file that is not UTF-8 is refused at its first bad byte, by line, column (in characters) and byte offset. */
class ConfigFileTest
{
    @Test
    void shouldDecodeUtf8OfEveryLength()
    {
        final String text = "# é € \uD83D\uDE00\nk = \"v\"\n";
        assertEquals(text, ConfigFile.decode(text.getBytes(StandardCharsets.UTF_8), "t.toml"));
    }

    @Test
    void shouldCountTheColumnInCharactersAfterValidMultiByteCharacters()
    {
        final byte[] bytes = {'a', '\n', '#', ' ', (byte)0xC3, (byte)0xA9, ' ', (byte)0xFF, '\n'};
        assertEquals("t.toml:2:5: byte 7 (0xFF) is not UTF-8; save the file as UTF-8, as TOML requires",
            refused(bytes));
    }

    @Test
    void shouldReportASequenceCutOffByTheEndOfTheFile()
    {
        final byte[] bytes = {'#', ' ', (byte)0xE2, (byte)0x82};
        assertEquals("t.toml:1:3: byte 2 (0xE2) is not UTF-8; save the file as UTF-8, as TOML requires",
            refused(bytes));
    }

    private static String refused(final byte[] bytes)
    {
        return assertThrows(ConfigException.class, () -> ConfigFile.decode(bytes, "t.toml")).getMessage();
    }
}
