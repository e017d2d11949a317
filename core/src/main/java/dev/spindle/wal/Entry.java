package dev.spindle.wal;

import java.util.Map;
import java.util.Objects;

/**
 * An entry to append: mutable and meant to be reused. {@code append} copies it into the lane's ring,
 * so the caller may change or reuse it (and the arrays it points to) as soon as {@code append} returns.
 * After {@code append} returns, {@link #sequence()} holds the sequence the entry was given.
 *
 * <pre>{@code
 * Entry entry = new Entry();                       // once per thread
 * entry.clear().op(Op.INSERT).key(k).value(v);
 * long sequence = orders.append(entry);            // no allocation
 * orders.awaitAcknowledged(sequence);
 * }</pre>
 */
public final class Entry
{
    private Op op = Op.INSERT;
    private byte[] key;
    private int keyOffset;
    private int keyLength;
    private byte[] value;
    private int valueOffset;
    private int valueLength;
    private float[] vector;
    private int vectorLength;
    private Map<String, String> metadata;
    private boolean hasExpiresAt;
    private long expiresAtMicros;
    private long version;
    private long timestampMicros;
    private String entryId;
    private long sequence;

    /**
     * Reset every field to its default (INSERT, no key, value, vector, metadata or expiry, version 0).
     *
     * @return this.
     */
    public Entry clear()
    {
        op = Op.INSERT;
        key = null;
        keyOffset = keyLength = 0;
        value = null;
        valueOffset = valueLength = 0;
        vector = null;
        vectorLength = 0;
        metadata = null;
        hasExpiresAt = false;
        expiresAtMicros = 0;
        version = 0;
        timestampMicros = 0;
        entryId = null;
        sequence = 0;
        return this;
    }

    public Entry op(final Op op)
    {
        this.op = Objects.requireNonNull(op, "op");
        return this;
    }

    /**
     * @param key the whole array is the key; {@code null} for no key.
     * @return this.
     */
    public Entry key(final byte[] key)
    {
        return key(key, 0, key == null ? 0 : key.length);
    }

    public Entry key(final byte[] key, final int offset, final int length)
    {
        checkRange(key, offset, length, "key");
        this.key = key;
        this.keyOffset = offset;
        this.keyLength = length;
        return this;
    }

    /**
     * @param value the whole array is the value; {@code null} for no value.
     * @return this.
     */
    public Entry value(final byte[] value)
    {
        return value(value, 0, value == null ? 0 : value.length);
    }

    public Entry value(final byte[] value, final int offset, final int length)
    {
        checkRange(value, offset, length, "value");
        this.value = value;
        this.valueOffset = offset;
        this.valueLength = length;
        return this;
    }

    /**
     * @param vector the whole array is the embedding; {@code null} for none.
     * @return this.
     */
    public Entry vector(final float[] vector)
    {
        return vector(vector, vector == null ? 0 : vector.length);
    }

    public Entry vector(final float[] vector, final int length)
    {
        if (vector != null && (length < 0 || length > vector.length))
        {
            throw new IllegalArgumentException("vector length " + length + " outside 0.." + vector.length);
        }
        this.vector = vector;
        this.vectorLength = vector == null ? 0 : length;
        return this;
    }

    /**
     * @param metadata string pairs copied at append; {@code null} for none. Neither keys nor values may be null.
     * @return this.
     */
    public Entry metadata(final Map<String, String> metadata)
    {
        this.metadata = metadata;
        return this;
    }

    public Entry expiresAtMicros(final long epochMicros)
    {
        this.hasExpiresAt = true;
        this.expiresAtMicros = epochMicros;
        return this;
    }

    public Entry noExpiry()
    {
        this.hasExpiresAt = false;
        this.expiresAtMicros = 0;
        return this;
    }

    public Entry version(final long version)
    {
        this.version = version;
        return this;
    }

    /**
     * @param epochMicros the entry's timestamp; 0 (the default) means the time of the append.
     * @return this.
     */
    public Entry timestampMicros(final long epochMicros)
    {
        this.timestampMicros = epochMicros;
        return this;
    }

    /**
     * @param entryId a caller-chosen unique id; {@code null} (the default) lets Spindle make one.
     * @return this.
     */
    public Entry entryId(final String entryId)
    {
        this.entryId = entryId;
        return this;
    }

    public Op op()
    {
        return op;
    }

    public byte[] key()
    {
        return key;
    }

    public int keyOffset()
    {
        return keyOffset;
    }

    public int keyLength()
    {
        return keyLength;
    }

    public byte[] value()
    {
        return value;
    }

    public int valueOffset()
    {
        return valueOffset;
    }

    public int valueLength()
    {
        return valueLength;
    }

    public float[] vector()
    {
        return vector;
    }

    public int vectorLength()
    {
        return vectorLength;
    }

    public Map<String, String> metadata()
    {
        return metadata;
    }

    public boolean hasExpiresAt()
    {
        return hasExpiresAt;
    }

    public long expiresAtMicros()
    {
        return expiresAtMicros;
    }

    public long version()
    {
        return version;
    }

    public long timestampMicros()
    {
        return timestampMicros;
    }

    public String entryId()
    {
        return entryId;
    }

    /**
     * @return the sequence given to this entry by the last {@code append}, 0 before any.
     */
    public long sequence()
    {
        return sequence;
    }

    /**
     * Called by the WAL once the entry has its sequence.
     *
     * @param sequence the sequence given.
     */
    void assignedSequence(final long sequence)
    {
        this.sequence = sequence;
    }

    private static void checkRange(final byte[] array, final int offset, final int length, final String what)
    {
        if (array == null)
        {
            if (offset != 0 || length != 0)
            {
                throw new IllegalArgumentException(what + " is null but offset/length are " + offset + "/" + length);
            }
            return;
        }
        if (offset < 0 || length < 0 || offset > array.length - length)
        {
            throw new IllegalArgumentException(
                what + " range " + offset + "+" + length + " outside an array of " + array.length);
        }
    }
}
