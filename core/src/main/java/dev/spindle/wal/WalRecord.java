package dev.spindle.wal;

import java.util.Arrays;
import java.util.Map;

/**
 * An entry as read back from the log by replay, {@code dump} or {@code verify}. Immutable.
 */
public final class WalRecord
{
    private final String entryId;
    private final String collection;
    private final long sequence;
    private final long globalSequence;
    private final long timestampMicros;
    private final Op op;
    private final byte[] key;
    private final byte[] value;
    private final float[] vector;
    private final Map<String, String> metadata;
    private final Long expiresAtMicros;
    private final long version;
    private final int crc32c;

    public WalRecord(
        final String entryId,
        final String collection,
        final long sequence,
        final long globalSequence,
        final long timestampMicros,
        final Op op,
        final byte[] key,
        final byte[] value,
        final float[] vector,
        final Map<String, String> metadata,
        final Long expiresAtMicros,
        final long version,
        final int crc32c)
    {
        this.entryId = entryId;
        this.collection = collection;
        this.sequence = sequence;
        this.globalSequence = globalSequence;
        this.timestampMicros = timestampMicros;
        this.op = op;
        this.key = key;
        this.value = value;
        this.vector = vector;
        this.metadata = metadata;
        this.expiresAtMicros = expiresAtMicros;
        this.version = version;
        this.crc32c = crc32c;
    }

    public String entryId()
    {
        return entryId;
    }

    public String collection()
    {
        return collection;
    }

    public long sequence()
    {
        return sequence;
    }

    public long globalSequence()
    {
        return globalSequence;
    }

    public long timestampMicros()
    {
        return timestampMicros;
    }

    public Op op()
    {
        return op;
    }

    /**
     * @return the key, or {@code null}. The array is the record's own; do not change it.
     */
    public byte[] key()
    {
        return key;
    }

    /**
     * @return the value, or {@code null}. The array is the record's own; do not change it.
     */
    public byte[] value()
    {
        return value;
    }

    /**
     * @return the vector, or {@code null}. The array is the record's own; do not change it.
     */
    public float[] vector()
    {
        return vector;
    }

    /**
     * @return the metadata (unmodifiable), or {@code null}.
     */
    public Map<String, String> metadata()
    {
        return metadata;
    }

    /**
     * @return the expiry in epoch micros, or {@code null} for none.
     */
    public Long expiresAtMicros()
    {
        return expiresAtMicros;
    }

    public long version()
    {
        return version;
    }

    public int crc32c()
    {
        return crc32c;
    }

    @Override
    public String toString()
    {
        return "WalRecord{" + collection + "#" + sequence + ", op=" + op + ", global=" + globalSequence +
            ", key=" + (key == null ? "null" : key.length + "B") +
            ", value=" + (value == null ? "null" : value.length + "B") +
            ", vector=" + (vector == null ? "null" : Arrays.toString(vector)) + "}";
    }
}
