package dev.spindle.wal.internal.segment;

import dev.spindle.wal.SyncMode;
import dev.spindle.wal.WalException;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryData;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The segment file format: a standard Avro Object Container File (so stock readers open sealed
 * segments), written block by block by the batch writer.
 *
 * <pre>
 *   header:  "Obj" 0x01 | metadata map (avro.schema, avro.codec=null, spindle.*) | 16-byte sync marker
 *   block:   count (zigzag varint long) | size (varint long) | size bytes of entries | sync marker
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

    public static final Schema SCHEMA = loadSchema();

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
     * Build a segment header with Avro's own {@link DataFileWriter}, so it is exactly what stock readers expect.
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
        final ByteArrayOutputStream out = new ByteArrayOutputStream(2048);
        try (DataFileWriter<GenericRecord> writer = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(SCHEMA)))
        {
            writer.setCodec(CodecFactory.nullCodec());
            writer.setMeta(META_FORMAT_VERSION, Integer.toString(FORMAT_VERSION));
            writer.setMeta(META_COLLECTION, collection);
            writer.setMeta(META_FIRST_SEQUENCE, Long.toString(firstSequence));
            writer.setMeta(META_WRITER_ID, String.format("%016x", writerId));
            writer.setMeta(META_CREATED_MICROS, Long.toString(createdMicros));
            writer.setMeta(META_SYNC_MODE, syncMode.name());
            writer.create(SCHEMA, out, syncMarker);
            writer.flush();
        }
        catch (final IOException ex)
        {
            throw new WalException("cannot build a segment header for " + collection, ex);
        }
        return out.toByteArray();
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
