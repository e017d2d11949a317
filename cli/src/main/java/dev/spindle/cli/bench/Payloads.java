package dev.spindle.cli.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Entry contents that are a pure function of (seed, collection, sequence), so a later run can check
 * every byte of what it replays. The value is an xorshift64 stream seeded by SplitMix64 from the three
 * (8 bytes a step, cheap enough not to slow the benchmark down); the key is
 * the sequence (8 bytes, big-endian) followed by the value length (4 bytes), so a value of the wrong
 * length is caught too. Allocation-free: fills the caller's arrays.
 */
public final class Payloads
{
    public static final int KEY_LENGTH = 12;
    private static final java.lang.invoke.VarHandle LONGS =
        java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    private Payloads()
    {
    }

    /**
     * @return the value's seed for this entry.
     */
    static long seedOf(final long seed, final int collectionHash, final long sequence)
    {
        return mix(seed ^ mix(collectionHash) ^ mix(sequence * 0x9E3779B97F4A7C15L));
    }

    /**
     * @return a stable hash of a collection name.
     */
    public static int collectionHash(final String collection)
    {
        final CRC32C crc = new CRC32C();
        crc.update(collection.getBytes(StandardCharsets.UTF_8));
        return (int)crc.getValue();
    }

    /**
     * Fill {@code value[0..length)} with the payload of (seed, collection, sequence).
     */
    public static void value(final long seed, final int collectionHash, final long sequence, final byte[] value,
        final int length)
    {
        long state = seedOf(seed, collectionHash, sequence) | 1;    // xorshift64 needs a non-zero state
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            state ^= state << 13;
            state ^= state >>> 7;
            state ^= state << 17;
            LONGS.set(value, i, state);
        }
        for (; i < length; i++)
        {
            state ^= state << 13;
            state ^= state >>> 7;
            state ^= state << 17;
            value[i] = (byte)state;
        }
    }

    /**
     * Fill {@code key} (at least {@link #KEY_LENGTH} bytes) for this entry.
     */
    public static void key(final long sequence, final int valueLength, final byte[] key)
    {
        for (int i = 0; i < 8; i++)
        {
            key[i] = (byte)(sequence >>> (56 - 8 * i));
        }
        for (int i = 0; i < 4; i++)
        {
            key[8 + i] = (byte)(valueLength >>> (24 - 8 * i));
        }
    }

    /**
     * @return null when key and value are those written by {@code spindle write --seed seed}, else what differs.
     */
    public static String check(final long seed, final String collection, final long sequence, final byte[] key,
        final byte[] value)
    {
        if (key == null || key.length != KEY_LENGTH)
        {
            return "key is not " + KEY_LENGTH + " bytes";
        }
        long keySequence = 0;
        for (int i = 0; i < 8; i++)
        {
            keySequence = (keySequence << 8) | (key[i] & 0xFF);
        }
        int length = 0;
        for (int i = 8; i < 12; i++)
        {
            length = (length << 8) | (key[i] & 0xFF);
        }
        if (keySequence != sequence)
        {
            return "key names sequence " + keySequence;
        }
        if (value == null || value.length != length)
        {
            return "value is " + (value == null ? "null" : value.length + " bytes") + ", the key says " + length;
        }
        final byte[] expected = new byte[length];
        value(seed, collectionHash(collection), sequence, expected, length);
        if (!Arrays.equals(expected, value))
        {
            return "value differs from the payload of seed " + seed;
        }
        return null;
    }

    private static long mix(final long x)
    {
        long z = x;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
