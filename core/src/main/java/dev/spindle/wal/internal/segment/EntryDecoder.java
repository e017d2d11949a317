package dev.spindle.wal.internal.segment;

import dev.spindle.wal.Op;
import dev.spindle.wal.WalRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Reads {@code WalEntry} records with Avro's {@link BinaryDecoder}, checking every length read from
 * the bytes against what is left before allocating for it, so a corrupt segment gives an error and
 * never a huge allocation. Verifies each entry's CRC32C. Not thread-safe; one per reader.
 */
public final class EntryDecoder
{
    /** Why an entry could not be decoded; {@link #offset} is relative to the decoded region. */
    public static final class MalformedEntry extends Exception
    {
        private static final long serialVersionUID = 1L;
        private final int offset;

        MalformedEntry(final String message, final int offset)
        {
            super(message, null, false, false);
            this.offset = offset;
        }

        public int offset()
        {
            return offset;
        }
    }

    private final CRC32C crc = new CRC32C();
    private BinaryDecoder decoder;
    private InputStream position;
    private int regionStart;
    private int regionLength;
    private int entryLength;

    /**
     * Point the decoder at {@code length} bytes of {@code buffer} from {@code offset}.
     */
    public void wrap(final byte[] buffer, final int offset, final int length)
    {
        decoder = DecoderFactory.get().binaryDecoder(buffer, offset, length, decoder);
        position = decoder.inputStream();
        regionStart = offset;
        regionLength = length;
    }

    /**
     * @return bytes of the region not yet decoded.
     */
    public int remaining()
    {
        try
        {
            return position.available();
        }
        catch (final IOException ex)
        {
            return 0;
        }
    }

    /**
     * @return the encoded length of the entry last returned by {@link #next}.
     */
    public int entryLength()
    {
        return entryLength;
    }

    /**
     * Decode the next entry of the region.
     *
     * @param buffer the array given to {@link #wrap} (to checksum the entry's bytes).
     * @return the entry.
     * @throws MalformedEntry when the bytes are not a valid entry.
     */
    public WalRecord next(final byte[] buffer) throws MalformedEntry
    {
        final int start = regionLength - remaining();
        try
        {
            final String entryId = readString("entry_id");
            final String collection = readString("collection_id");
            final long sequence = decoder.readLong();
            final long globalSequence = decoder.readLong();
            final long timestamp = decoder.readLong();
            final int opOrdinal = decoder.readEnum();
            final Op op = Op.fromOrdinal(opOrdinal);
            if (op == null)
            {
                throw malformed("op ordinal " + opOrdinal + " is not a WalOp symbol");
            }
            final byte[] key = readNullableBytes("key");
            final byte[] value = readNullableBytes("value");
            final float[] vector = readVector();
            final Map<String, String> metadata = readMetadata();
            final Long expiresAt = readUnionIndex("expires_at") == 0 ? null : decoder.readLong();
            final long version = decoder.readLong();
            final int covered = regionLength - remaining() - start;
            final int storedCrc = decoder.readInt();
            entryLength = regionLength - remaining() - start;

            crc.reset();
            crc.update(buffer, regionStart + start, covered);
            if ((int)crc.getValue() != storedCrc)
            {
                throw new MalformedEntry(String.format("crc32c mismatch (stored %08x, computed %08x) in entry %s#%d",
                    storedCrc, (int)crc.getValue(), collection, sequence), start);
            }
            return new WalRecord(entryId, collection, sequence, globalSequence, timestamp, op, key, value, vector,
                metadata, expiresAt, version, storedCrc);
        }
        catch (final MalformedEntry ex)
        {
            throw ex.offset() >= 0 ? ex : new MalformedEntry(ex.getMessage(), start);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new MalformedEntry("entry is truncated or not Avro (" + ex.getClass().getSimpleName() +
                (ex.getMessage() == null ? "" : ": " + ex.getMessage()) + ")", start);
        }
    }

    private MalformedEntry malformed(final String message)
    {
        return new MalformedEntry(message, -1);
    }

    private int checkedLength(final String field) throws IOException, MalformedEntry
    {
        final long length = decoder.readLong();
        if (length < 0 || length > remaining())
        {
            throw malformed(field + " length " + length + " exceeds the " + remaining() + " bytes left");
        }
        return (int)length;
    }

    private String readString(final String field) throws IOException, MalformedEntry
    {
        final byte[] bytes = new byte[checkedLength(field)];
        decoder.readFixed(bytes);
        try
        {
            return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        }
        catch (final CharacterCodingException ex)
        {
            throw malformed(field + " is not valid UTF-8");
        }
    }

    private int readUnionIndex(final String field) throws IOException, MalformedEntry
    {
        final int index = decoder.readIndex();
        if (index != 0 && index != 1)
        {
            throw malformed(field + " union index " + index + " is neither 0 (null) nor 1");
        }
        return index;
    }

    private byte[] readNullableBytes(final String field) throws IOException, MalformedEntry
    {
        if (readUnionIndex(field) == 0)
        {
            return null;
        }
        final byte[] bytes = new byte[checkedLength(field)];
        decoder.readFixed(bytes);
        return bytes;
    }

    private float[] readVector() throws IOException, MalformedEntry
    {
        if (readUnionIndex("vector") == 0)
        {
            return null;
        }
        float[] vector = new float[0];
        int size = 0;
        for (long block = decoder.readArrayStart(); block != 0; block = decoder.arrayNext())
        {
            if (block < 0 || block > remaining() / 4)
            {
                throw malformed("vector block of " + block + " floats exceeds the " + remaining() + " bytes left");
            }
            if (size + block > vector.length)
            {
                vector = java.util.Arrays.copyOf(vector, (int)Math.max(size + block, Math.min(remaining() / 4 + size + block,
                    2L * vector.length)));
            }
            for (long i = 0; i < block; i++)
            {
                vector[size++] = decoder.readFloat();
            }
        }
        return size == vector.length ? vector : java.util.Arrays.copyOf(vector, size);
    }

    private Map<String, String> readMetadata() throws IOException, MalformedEntry
    {
        if (readUnionIndex("metadata") == 0)
        {
            return null;
        }
        final Map<String, String> map = new LinkedHashMap<>();
        for (long block = decoder.readMapStart(); block != 0; block = decoder.mapNext())
        {
            if (block < 0 || block > remaining() / 2)
            {
                throw malformed("metadata block of " + block + " pairs exceeds the " + remaining() + " bytes left");
            }
            for (long i = 0; i < block; i++)
            {
                final String k = readString("metadata key");
                map.put(k, readString("metadata value"));
            }
        }
        return Collections.unmodifiableMap(map);
    }
}
