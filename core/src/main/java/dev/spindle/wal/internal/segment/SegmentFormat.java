package dev.spindle.wal.internal.segment;

import dev.spindle.wal.Codec;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.WalException;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileConstants;
import org.apache.avro.io.BinaryData;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The segment file format: a standard Avro Object Container File (so stock readers open sealed
 * segments), written block by block by the batch writer.
 *
 * <pre>
 *   header:  "Obj" 0x01 | metadata map (avro.schema, avro.codec, spindle.*) | 16-byte sync marker
 *   block:   count (zigzag varint long) | size (varint long) | size bytes of entries, compressed by avro.codec
 *            as a whole ({@link BlockCodec}; none for "null") | sync marker
 *   entry:   the WalEntry record, Avro binary; its last field crc32c is the CRC32C of the bytes before it
 * </pre>
 *
 * One block per collection per write batch (and per {@code memory_flush_size_bytes}). An active
 * {@code .open} segment may hold preallocated zeros or, when recycled, old bytes after its last
 * block: a block whose count is 0, whose size runs past the file, whose sync marker is not this
 * header's, or whose entries fail their CRC is where the log ends.
 */
public final class SegmentFormat
{
    public static final int FORMAT_VERSION = 1;
    public static final int SYNC_SIZE = 16;
    /** Largest block header: two 10-byte varints. */
    public static final int MAX_BLOCK_HEADER = 20;
    /** Headers are a few KiB; anything past this is corruption. */
    public static final int MAX_HEADER_SIZE = 64 * 1024;
    public static final byte[] MAGIC = {'O', 'b', 'j', 1};

    public static final String META_FORMAT_VERSION = "spindle.format_version";
    public static final String META_COLLECTION = "spindle.collection";
    public static final String META_FIRST_SEQUENCE = "spindle.first_sequence";
    public static final String META_WRITER_ID = "spindle.writer_id";
    public static final String META_CREATED_MICROS = "spindle.created_micros";
    public static final String META_SYNC_MODE = "spindle.sync_mode";
    /** The writer epoch of a remote lane's fence ({@code dev.spindle.wal.internal.remote.Fence}); absent: 0. */
    public static final String META_EPOCH = "spindle.epoch";
    /**
     * The writer's {@code disk_segment_size}, in a compressed segment: no block's entries are larger, so readers
     * decompress no further ({@link BlockCodec#readLimit}).
     */
    public static final String META_SEGMENT_SIZE = "spindle.segment_size";

    public static final Schema SCHEMA = loadSchema();

    private static final byte[] SCHEMA_JSON = utf8(SCHEMA.toString());
    private static final byte[] META_AVRO_SCHEMA = utf8(DataFileConstants.SCHEMA);
    private static final byte[] META_AVRO_CODEC = utf8(DataFileConstants.CODEC);
    private static final byte[] META_FORMAT_VERSION_UTF8 = utf8(META_FORMAT_VERSION);
    private static final byte[] META_COLLECTION_UTF8 = utf8(META_COLLECTION);
    private static final byte[] META_FIRST_SEQUENCE_UTF8 = utf8(META_FIRST_SEQUENCE);
    private static final byte[] META_WRITER_ID_UTF8 = utf8(META_WRITER_ID);
    private static final byte[] META_CREATED_MICROS_UTF8 = utf8(META_CREATED_MICROS);
    private static final byte[] META_SYNC_MODE_UTF8 = utf8(META_SYNC_MODE);
    private static final byte[] META_EPOCH_UTF8 = utf8(META_EPOCH);
    private static final byte[] META_SEGMENT_SIZE_UTF8 = utf8(META_SEGMENT_SIZE);

    private SegmentFormat()
    {
    }

    private static Schema loadSchema()
    {
        try (InputStream in = SegmentFormat.class.getResourceAsStream("/dev/spindle/wal/WalEntry.avsc"))
        {
            if (in == null)
            {
                throw new IllegalStateException("WalEntry.avsc missing from the classpath of spindle-core");
            }
            return new Schema.Parser().parse(in);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read WalEntry.avsc", ex);
        }
    }

    /**
     * Build a segment header: Avro's container-file header ({@code DataFileWriter.create}'s layout), written
     * with Avro's own {@link BinaryEncoder}, so it is exactly what stock readers expect. The schema's JSON is
     * rendered once per process: {@code DataFileWriter} renders it through Jackson on every call, about
     * 100 KiB of garbage per segment roll.
     *
     * @return the header bytes, ending with {@code syncMarker}.
     */
    public static byte[] header(
        final String collection,
        final long firstSequence,
        final long writerId,
        final long createdMicros,
        final SyncMode syncMode,
        final byte[] syncMarker)
    {
        return header(collection, firstSequence, writerId, createdMicros, syncMode, 0, Codec.NULL, 0, syncMarker);
    }

    /**
     * @param epoch the writer epoch of a remote lane's fence, written as {@value #META_EPOCH} when above 0.
     * @param codec the block codec, written as {@code avro.codec}.
     * @param segmentSize the writer's {@code disk_segment_size}, written as {@value #META_SEGMENT_SIZE} with a codec.
     */
    public static byte[] header(
        final String collection,
        final long firstSequence,
        final long writerId,
        final long createdMicros,
        final SyncMode syncMode,
        final long epoch,
        final Codec codec,
        final long segmentSize,
        final byte[] syncMarker)
    {
        if (syncMarker.length != SYNC_SIZE)
        {
            throw new IllegalArgumentException("a sync marker is " + SYNC_SIZE + " bytes, not " + syncMarker.length);
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream(SCHEMA_JSON.length + 512);
        final BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try
        {
            encoder.writeFixed(MAGIC);
            encoder.writeMapStart();
            final boolean compressed = codec != Codec.NULL;
            encoder.setItemCount(8 + (epoch > 0 ? 1 : 0) + (compressed ? 1 : 0));
            meta(encoder, META_AVRO_SCHEMA, SCHEMA_JSON);
            meta(encoder, META_AVRO_CODEC, codec.avroName());
            meta(encoder, META_FORMAT_VERSION_UTF8, Integer.toString(FORMAT_VERSION));
            meta(encoder, META_COLLECTION_UTF8, collection);
            meta(encoder, META_FIRST_SEQUENCE_UTF8, Long.toString(firstSequence));
            meta(encoder, META_WRITER_ID_UTF8, writerIdHex(writerId));
            meta(encoder, META_CREATED_MICROS_UTF8, Long.toString(createdMicros));
            meta(encoder, META_SYNC_MODE_UTF8, syncMode.name());
            if (epoch > 0)
            {
                meta(encoder, META_EPOCH_UTF8, Long.toString(epoch));
            }
            if (compressed)
            {
                meta(encoder, META_SEGMENT_SIZE_UTF8, Long.toString(segmentSize));
            }
            encoder.writeMapEnd();
            encoder.writeFixed(syncMarker);
            encoder.flush();
        }
        catch (final IOException ex)
        {
            throw new WalException("cannot build a segment header for " + collection, ex);
        }
        return out.toByteArray();
    }

    /** @return a writer id as the header writes it: 16 lower-case hex digits. */
    public static String writerIdHex(final long writerId)
    {
        final String hex = Long.toHexString(writerId);
        return "0000000000000000".substring(hex.length()) + hex;
    }

    private static void meta(final BinaryEncoder encoder, final byte[] key, final String value) throws IOException
    {
        meta(encoder, key, utf8(value));
    }

    private static void meta(final BinaryEncoder encoder, final byte[] key, final byte[] value) throws IOException
    {
        encoder.startItem();
        encoder.writeBytes(key);            // a string is written exactly as bytes: length, UTF-8
        encoder.writeBytes(value);
    }

    /**
     * @return the block header (count, size) encoded into {@code scratch} (10+ bytes free from 0); its length.
     */
    public static int encodeBlockHeader(final long count, final long size, final byte[] scratch)
    {
        final int at = BinaryData.encodeLong(count, scratch, 0);   // encodeLong returns the bytes written
        return at + BinaryData.encodeLong(size, scratch, at);
    }

    public static byte[] utf8(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
