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

    /** What entries carry: how well they compress is what tells the codecs apart. */
    public enum Kind
    {
        /** A value of random bytes: nothing compresses it (the default; the other benchmarks use it). */
        random,
        /** A value of JSON-like event records (timestamps, levels, services, ids, words): compresses as logs do. */
        text,
        /** No value: a vector of entry-size / 4 floats spread as embedding components are (full mantissas). */
        vectors
    }

    private static final byte[][] LEVELS = words("INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR");
    private static final byte[][] SERVICES = words("checkout", "payments", "search", "inventory", "auth", "shipping",
        "catalog", "gateway");
    private static final byte[][] WORDS = words("order", "user", "cart", "item", "shipped", "created", "updated",
        "failed", "retry", "timeout", "warehouse", "berlin", "paris", "express", "standard", "card", "token",
        "session", "request", "response", "cache", "miss", "hit", "latency", "queue", "batch", "sync", "ok");

    private static byte[][] words(final String... words)
    {
        final byte[][] bytes = new byte[words.length][];
        for (int i = 0; i < words.length; i++)
        {
            bytes[i] = words[i].getBytes(StandardCharsets.US_ASCII);
        }
        return bytes;
    }

    /**
     * Fills payloads of every kind without allocating: one per producer thread (it keeps the generator's state
     * between the calls of one fill).
     */
    public static final class Generator
    {
        private long state;
        private int at;
        private byte[] value;
        private int length;

        /**
         * Fill the payload of kind {@code kind} for this entry: all of {@code value}, or for {@link Kind#vectors}
         * all of {@code vector}.
         */
        public void fill(final Kind kind, final long seed, final int collectionHash, final long sequence,
            final byte[] value, final float[] vector)
        {
            switch (kind)
            {
                case text:
                    text(seed, collectionHash, sequence, value);
                    break;
                case vectors:
                    vector(seed, collectionHash, sequence, vector);
                    break;
                case random:
                default:
                    value(seed, collectionHash, sequence, value, value.length);
                    break;
            }
        }

        /** JSON-like event records of (seed, collection, sequence), one per line, the last one cut at the end. */
        private void text(final long seed, final int collectionHash, final long sequence, final byte[] into)
        {
            state = seedOf(seed, collectionHash, sequence) | 1;
            value = into;
            length = into.length;
            at = 0;
            long ts = 1_764_000_000_000L + (sequence & 0xFFFFFFFL) * 7;
            while (at < length)
            {
                put("{\"ts\":");
                ts += next() & 0xFF;
                number(ts);
                put(",\"level\":\"");
                put(LEVELS[pick(LEVELS.length)]);
                put("\",\"service\":\"");
                put(SERVICES[pick(SERVICES.length)]);
                put("\",\"user\":\"u");
                number(pick(100_000));
                put("\",\"msg\":\"");
                final int words = 3 + pick(6);
                for (int w = 0; w < words; w++)
                {
                    if (w > 0)
                    {
                        put(" ");
                    }
                    put(WORDS[pick(WORDS.length)]);
                }
                put("\",\"latency_ms\":");
                number(pick(2000));
                put("}\n");
            }
            value = null;
        }

        /**
         * Components uniform in [-0.25, 0.25), as those of a normalised embedding of a few hundred dimensions mostly
         * are, with full-precision mantissas.
         */
        private void vector(final long seed, final int collectionHash, final long sequence, final float[] vector)
        {
            state = seedOf(seed, collectionHash, sequence) | 1;
            for (int i = 0; i < vector.length; i++)
            {
                vector[i] = ((next() >>> 40) / (float)(1 << 24) - 0.5f) * 0.5f;
            }
        }

        private long next()
        {
            long x = state;
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            state = x;
            return x;
        }

        private int pick(final int n)
        {
            return (int)((next() >>> 1) % n);
        }

        private void put(final String ascii)
        {
            for (int i = 0; i < ascii.length() && at < length; i++)
            {
                value[at++] = (byte)ascii.charAt(i);
            }
        }

        private void put(final byte[] word)
        {
            final int n = Math.min(word.length, length - at);
            System.arraycopy(word, 0, value, at, n);
            at += n;
        }

        private void number(final long n)
        {
            long div = 1;
            while (div <= n / 10)
            {
                div *= 10;
            }
            for (; div > 0 && at < length; div /= 10)
            {
                value[at++] = (byte)('0' + n / div % 10);
            }
        }
    }

    /**
     * @return null when key, value and vector are those written by {@code spindle write --seed seed --payload kind},
     *     else what differs.
     */
    public static String check(final Kind kind, final long seed, final String collection, final long sequence,
        final byte[] key, final byte[] value, final float[] vector)
    {
        if (kind != Kind.vectors)
        {
            return check(kind, seed, collection, sequence, key, value);
        }
        final String wrongKey = checkKey(sequence, key);
        if (wrongKey != null)
        {
            return wrongKey;
        }
        final int length = lengthOf(key);
        if (value != null || vector == null || vector.length * Float.BYTES != length)
        {
            return "vector is " + (vector == null ? "null" : vector.length + " floats") + (value != null ?
                " beside a value" : "") + ", the key says " + length + " bytes of floats";
        }
        final float[] expected = new float[vector.length];
        new Generator().fill(kind, seed, collectionHash(collection), sequence, null, expected);
        return Arrays.equals(expected, vector) ? null : "vector differs from the payload of seed " + seed;
    }

    /**
     * @return null when key and value are those written by {@code spindle write --seed seed}, else what differs.
     */
    public static String check(final long seed, final String collection, final long sequence, final byte[] key,
        final byte[] value)
    {
        return check(Kind.random, seed, collection, sequence, key, value);
    }

    private static String checkKey(final long sequence, final byte[] key)
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
        return keySequence == sequence ? null : "key names sequence " + keySequence;
    }

    private static int lengthOf(final byte[] key)
    {
        int length = 0;
        for (int i = 8; i < 12; i++)
        {
            length = (length << 8) | (key[i] & 0xFF);
        }
        return length;
    }

    private static String check(final Kind kind, final long seed, final String collection, final long sequence,
        final byte[] key, final byte[] value)
    {
        final String wrongKey = checkKey(sequence, key);
        if (wrongKey != null)
        {
            return wrongKey;
        }
        final int length = lengthOf(key);
        if (value == null || value.length != length)
        {
            return "value is " + (value == null ? "null" : value.length + " bytes") + ", the key says " + length;
        }
        final byte[] expected = new byte[length];
        new Generator().fill(kind, seed, collectionHash(collection), sequence, expected, null);
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
