package dev.spindle.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A configuration file's text. TOML is UTF-8, so the bytes are decoded strictly; a byte that is not UTF-8 is
 * reported as {@code file:line:column: byte OFFSET (0xNN) is not UTF-8}, not as the decoder's bare
 * "Input length = 1".
 */
final class ConfigFile
{
    private ConfigFile()
    {
    }

    /** @throws ConfigException for a missing or unreadable file, or one that is not UTF-8. */
    static String read(final Path file)
    {
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(file);
        }
        catch (final NoSuchFileException ex)
        {
            throw new ConfigException(file + ": no such configuration file");
        }
        catch (final IOException ex)
        {
            throw new ConfigException(file + ": cannot read: " + ex.getMessage());
        }
        return decode(bytes, file.toString());
    }

    /** @param source the name to give in messages. */
    static String decode(final byte[] bytes, final String source)
    {
        final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
        final ByteBuffer in = ByteBuffer.wrap(bytes);
        final CharBuffer out = CharBuffer.allocate(bytes.length);     // UTF-8 never gives more chars than bytes
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError())
        {
            result = decoder.flush(out);
        }
        if (result.isError())
        {
            throw notUtf8(bytes, in.position(), source);
        }
        return out.flip().toString();
    }

    /** The line and column (in characters) of the bad byte, from the valid bytes before it. */
    private static ConfigException notUtf8(final byte[] bytes, final int offset, final String source)
    {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < offset; i++)
        {
            if (bytes[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }
        final int column = new String(bytes, lineStart, offset - lineStart, StandardCharsets.UTF_8).length() + 1;
        return new ConfigException(String.format("%s:%d:%d: byte %d (0x%02X) is not UTF-8; save the file as UTF-8, " +
            "as TOML requires", source, line, column, offset, bytes[offset] & 0xFF));
    }
}
