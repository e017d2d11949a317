package dev.spindle.wal.internal.segment;

/**
 * UTF-8 encoding of a {@link String} into a caller's array without allocating, for the hot path
 * ({@code String.getBytes} allocates a new array per call). Unpaired surrogates become '?', as in the JDK.
 */
public final class Utf8
{
    private Utf8()
    {
    }

    /**
     * @return the number of bytes {@link #encode} will write for {@code s}.
     */
    public static int encodedLength(final String s)
    {
        final int n = s.length();
        int bytes = 0;
        for (int i = 0; i < n; i++)
        {
            final char c = s.charAt(i);
            if (c < 0x80)
            {
                bytes += 1;
            }
            else if (c < 0x800)
            {
                bytes += 2;
            }
            else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1)))
            {
                bytes += 4;
                i++;
            }
            else if (Character.isSurrogate(c))
            {
                bytes += 1;
            }
            else
            {
                bytes += 3;
            }
        }
        return bytes;
    }

    /**
     * Encode {@code s} at {@code offset}; the array must have {@link #encodedLength} bytes free there.
     *
     * @return the offset after the last byte written.
     */
    public static int encode(final String s, final byte[] dst, final int offset)
    {
        final int n = s.length();
        int p = offset;
        for (int i = 0; i < n; i++)
        {
            final char c = s.charAt(i);
            if (c < 0x80)
            {
                dst[p++] = (byte)c;
            }
            else if (c < 0x800)
            {
                dst[p++] = (byte)(0xC0 | (c >> 6));
                dst[p++] = (byte)(0x80 | (c & 0x3F));
            }
            else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1)))
            {
                final int cp = Character.toCodePoint(c, s.charAt(++i));
                dst[p++] = (byte)(0xF0 | (cp >> 18));
                dst[p++] = (byte)(0x80 | ((cp >> 12) & 0x3F));
                dst[p++] = (byte)(0x80 | ((cp >> 6) & 0x3F));
                dst[p++] = (byte)(0x80 | (cp & 0x3F));
            }
            else if (Character.isSurrogate(c))
            {
                dst[p++] = (byte)'?';
            }
            else
            {
                dst[p++] = (byte)(0xE0 | (c >> 12));
                dst[p++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                dst[p++] = (byte)(0x80 | (c & 0x3F));
            }
        }
        return p;
    }
}
