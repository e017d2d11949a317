package dev.spindle.wal;

/**
 * The Avro block codec of segment files ({@code codec}): each block's entries are compressed together, and the
 * header's {@code avro.codec} names the codec, so stock Avro readers (avro-tools, fastavro, Spark) still read every
 * sealed segment. The per-entry CRC32C covers the entry before compression. In TOML a codec is written by its Avro
 * name ({@link #toString()}), e.g. {@code codec = "zstandard"}.
 */
public enum Codec
{
    /** No compression: entries are written as encoded. */
    NULL("null", 0, 0),
    /** Zstandard (zstd-jni): the best ratio for its speed; {@code codec_level} 1 to 22, default 3 (Avro's). */
    ZSTANDARD("zstandard", 3, 22),
    /** Snappy (snappy-java), with Avro's CRC32 of the uncompressed block: the fastest, the lowest ratio. */
    SNAPPY("snappy", 0, 0),
    /** Raw deflate (the JDK's zlib): {@code codec_level} 1 to 9, default 6 (zlib's). */
    DEFLATE("deflate", 6, 9);

    private final String avroName;
    private final int defaultLevel;
    private final int maxLevel;

    Codec(final String avroName, final int defaultLevel, final int maxLevel)
    {
        this.avroName = avroName;
        this.defaultLevel = defaultLevel;
        this.maxLevel = maxLevel;
    }

    /** @return the name Avro gives the codec in a file's {@code avro.codec}, and TOML's {@code codec} value. */
    public String avroName()
    {
        return avroName;
    }

    /** @return the level used when {@code codec_level} is 0 (0 for codecs without levels). */
    public int defaultLevel()
    {
        return defaultLevel;
    }

    /** @return the highest {@code codec_level} (0: the codec takes no level). */
    public int maxLevel()
    {
        return maxLevel;
    }

    /**
     * @return the level to compress at: {@code level}, or the default when it is 0.
     */
    public int level(final int level)
    {
        return level == 0 ? defaultLevel : level;
    }

    /** @return the codec whose Avro name is {@code avroName}, or null. */
    public static Codec ofAvroName(final String avroName)
    {
        for (final Codec codec : values())
        {
            if (codec.avroName.equals(avroName))
            {
                return codec;
            }
        }
        return null;
    }

    @Override
    public String toString()
    {
        return avroName;
    }
}
