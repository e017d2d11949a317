package dev.spindle.wal.internal.segment;

import dev.spindle.wal.Entry;
import dev.spindle.wal.Op;
import org.apache.avro.io.BinaryData;

import java.util.Map;
import java.util.function.BiConsumer;

/**
 * An entry copied off the producer's objects, ready for {@link EntryEncoder}: its fields in reusable
 * arrays, its sequences and timestamp, its collection's name as UTF-8. The arrays grow to the largest
 * entry seen and are then reused, so a steady workload allocates nothing here.
 *
 * <p>Metadata is Avro-encoded (the map body: count, pairs, 0) on the producer thread, so the writer
 * just copies bytes. Strings are UTF-8 encoded by {@link Utf8} into the entry's own arrays. The lane's
 * ring slot extends this class with what only the lane needs (the kind of slot, the future).
 *
 * <p>A reference field is stored only when it changes. The ring's slots live in the old generation, where
 * G1's write barrier fences and dirties a card on every store of a reference into another region, and its
 * refinement threads then scan that card: 5.7 % of both cores at 256 B in {@code MemoryOnly}, for stores
 * that wrote back the reference already there.
 */
public class StagedEntry implements BiConsumer<String, String>
{
    /** Largest size of the varint length prefix of a string or bytes field. */
    private static final int LEN = 5;
    /** Arrays larger than this are dropped after use rather than kept in the ring. */
    private static final int RETAIN_LIMIT = 1 << 20;

    /** The collection's name, UTF-8. */
    public byte[] collectionUtf8;
    public long sequence;
    public long globalSequence;
    public long timestampMicros;
    public Op op;

    public byte[] entryId = new byte[0];
    public int entryIdLength;
    /** False: Spindle makes the id (32 hex characters). */
    public boolean hasEntryId;

    public boolean hasKey;
    public byte[] key = new byte[0];
    public int keyLength;

    public boolean hasValue;
    public byte[] value = new byte[0];
    public int valueLength;

    public boolean hasVector;
    public float[] vector = new float[0];
    public int vectorLength;

    public boolean hasMetadata;
    public byte[] metadata = new byte[0];
    public int metadataLength;

    public boolean hasExpiresAt;
    public long expiresAtMicros;
    public long version;

    /** Upper bound of this entry's encoded size, computed by {@link #encodedBound}. */
    public int encodedBound;

    /**
     * An upper bound of the encoded size of {@code entry} in collection {@code nameUtf8Length} bytes
     * long, which also checks the entry for nulls that cannot be encoded. Called before a slot is
     * claimed, so a bad entry is refused without using a sequence.
     *
     * @return the bound in bytes.
     * @throws IllegalArgumentException when the entry cannot be encoded.
     */
    public static long encodedBound(final Entry entry, final int nameUtf8Length)
    {
        long bound = 0;
        final String id = entry.entryId();
        bound += LEN + (id == null ? 32 : Utf8.encodedLength(id));
        bound += LEN + nameUtf8Length;
        bound += 3 * 10 + 1;                                   // sequence, global_sequence, timestamp, op
        bound += 1 + (entry.key() == null ? 0 : LEN + entry.keyLength());
        bound += 1 + (entry.value() == null ? 0 : LEN + entry.valueLength());
        bound += 1 + (entry.vector() == null ? 0 : 10 + 4L * entry.vectorLength() + 1);
        bound += 1 + (entry.metadata() == null ? 0 : metadataBound(entry.metadata()));
        bound += 1 + 10;                                      // expires_at
        bound += 10 + LEN;                                    // version, crc32c
        return bound;
    }

    /**
     * Measures metadata through {@code Map.forEach}, which a {@code HashMap}, {@code LinkedHashMap} or
     * {@code TreeMap} runs without allocating (iterating {@code entrySet()} allocates an iterator).
     */
    private static final class MetadataMeasure implements BiConsumer<String, String>
    {
        long bound;
        boolean hasNull;
        String nullKey;

        @Override
        public final void accept(final String k, final String v)
        {
            if (k == null || v == null)
            {
                hasNull = true;
                nullKey = k;
                return;
            }
            bound += 2L * LEN + 3L * k.length() + 3L * v.length();
        }
    }

    private static final ThreadLocal<MetadataMeasure> MEASURE = ThreadLocal.withInitial(MetadataMeasure::new);

    private static long metadataBound(final Map<String, String> metadata)
    {
        final MetadataMeasure measure = MEASURE.get();
        measure.bound = 10 + 1;
        measure.hasNull = false;
        metadata.forEach(measure);
        if (measure.hasNull)
        {
            throw new IllegalArgumentException("metadata may not hold null keys or values (key " + measure.nullKey + ")");
        }
        return measure.bound;
    }

    /**
     * Copy everything of {@code entry} into this staged entry. Never fails for an entry that passed
     * {@link #encodedBound}, except by running out of memory.
     */
    public final void stage(
        final Entry entry,
        final byte[] collectionUtf8,
        final long sequence,
        final long globalSequence,
        final long nowMicros,
        final int encodedBound)
    {
        if (this.collectionUtf8 != collectionUtf8)
        {
            this.collectionUtf8 = collectionUtf8;
        }
        this.sequence = sequence;
        this.globalSequence = globalSequence;
        this.timestampMicros = entry.timestampMicros() != 0 ? entry.timestampMicros() : nowMicros;
        final Op entryOp = entry.op();
        if (op != entryOp)
        {
            op = entryOp;
        }
        this.encodedBound = encodedBound;

        final String id = entry.entryId();
        hasEntryId = id != null;
        if (id == null)
        {
            entryIdLength = 0;
        }
        else
        {
            final byte[] ids = ensure(entryId, 3 * id.length());
            if (ids != entryId)
            {
                entryId = ids;
            }
            entryIdLength = Utf8.encode(id, entryId, 0);
        }

        hasKey = entry.key() != null;
        keyLength = entry.keyLength();
        if (hasKey)
        {
            final byte[] keys = ensure(key, keyLength);
            if (keys != key)
            {
                key = keys;
            }
            System.arraycopy(entry.key(), entry.keyOffset(), key, 0, keyLength);
        }

        hasValue = entry.value() != null;
        valueLength = entry.valueLength();
        if (hasValue)
        {
            final byte[] values = ensure(value, valueLength);
            if (values != value)
            {
                value = values;
            }
            System.arraycopy(entry.value(), entry.valueOffset(), value, 0, valueLength);
        }

        hasVector = entry.vector() != null;
        vectorLength = entry.vectorLength();
        if (hasVector)
        {
            if (vector.length < vectorLength)
            {
                vector = new float[vectorLength];
            }
            System.arraycopy(entry.vector(), 0, vector, 0, vectorLength);
        }

        final Map<String, String> meta = entry.metadata();
        hasMetadata = meta != null;
        metadataLength = 0;
        if (hasMetadata)
        {
            growMetadata(11);
            if (!meta.isEmpty())
            {
                metadataLength = BinaryData.encodeLong(meta.size(), metadata, 0);
                meta.forEach(this);
            }
            growMetadata(metadataLength + 1);
            metadataLength += BinaryData.encodeLong(0, metadata, metadataLength);
        }

        hasExpiresAt = entry.hasExpiresAt();
        expiresAtMicros = entry.expiresAtMicros();
        version = entry.version();
    }

    /**
     * Append one metadata pair to {@link #metadata}; the map's {@code forEach} calls this.
     */
    @Override
    public final void accept(final String k, final String v)
    {
        growMetadata(metadataLength + 2 * LEN + 3 * (k.length() + v.length()));
        metadataLength = putString(k, metadata, metadataLength);
        metadataLength = putString(v, metadata, metadataLength);
    }

    private static int putString(final String s, final byte[] dst, final int offset)
    {
        final int length = Utf8.encodedLength(s);
        final int at = offset + BinaryData.encodeLong(length, dst, offset); // returns the bytes written
        return Utf8.encode(s, dst, at);
    }

    /**
     * Drop arrays grown for an unusually large entry once it is encoded, so the ring does not keep
     * them alive.
     */
    public final void shrink()
    {
        if (key.length > RETAIN_LIMIT)
        {
            key = new byte[0];
        }
        if (value.length > RETAIN_LIMIT)
        {
            value = new byte[0];
        }
        if (metadata.length > RETAIN_LIMIT)
        {
            metadata = new byte[0];
        }
        if (vector.length > RETAIN_LIMIT / 4)
        {
            vector = new float[0];
        }
    }

    private void growMetadata(final int length)
    {
        final byte[] grown = ensure(metadata, length);
        if (grown != metadata)
        {
            metadata = grown;
        }
    }

    private static byte[] ensure(final byte[] array, final int length)
    {
        if (array.length >= length)
        {
            return array;
        }
        final long doubled = Math.min(Integer.MAX_VALUE - 8L, array.length * 2L);
        return java.util.Arrays.copyOf(array, (int)Math.max(length, doubled));
    }
}
