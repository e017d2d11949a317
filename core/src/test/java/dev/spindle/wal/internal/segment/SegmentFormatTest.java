package dev.spindle.wal.internal.segment;

import dev.spindle.wal.SyncMode;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileConstants;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The segment header is Avro's container-file header: stock Avro reads it, and it holds exactly the metadata
 * Avro's own {@code DataFileWriter} writes for the same fields.
 */
class SegmentFormatTest
{
    private static final byte[] SYNC = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    @Test
    void shouldWriteTheHeaderDataFileWriterWrites() throws IOException
    {
        for (final long writerId : new long[] {0, 42, -1, Long.MIN_VALUE, 0x0123_4567_89ab_cdefL})
        {
            final byte[] ours = SegmentFormat.header("orders/eu", 981, writerId, 1_700_000_000_000_000L,
                SyncMode.PerBatch, SYNC);
            final byte[] avros = avroHeader("orders/eu", 981, writerId, 1_700_000_000_000_000L, SyncMode.PerBatch);

            assertEquals(avros.length, ours.length, "same entries, so the same length");
            assertEquals(meta(avros), meta(ours));
            assertArrayEquals(SYNC, Arrays.copyOfRange(ours, ours.length - SYNC.length, ours.length));
        }
    }

    @Test
    void shouldBeReadByStockAvroWithEveryField() throws IOException
    {
        final byte[] header = SegmentFormat.header("c", 7, 0xabcL, 123, SyncMode.Never, SYNC);
        try (DataFileStream<GenericRecord> in =
            new DataFileStream<>(new ByteArrayInputStream(header), new GenericDatumReader<>()))
        {
            assertEquals(SegmentFormat.SCHEMA, in.getSchema());
            assertEquals("null", in.getMetaString(DataFileConstants.CODEC));
            assertEquals("1", in.getMetaString(SegmentFormat.META_FORMAT_VERSION));
            assertEquals("c", in.getMetaString(SegmentFormat.META_COLLECTION));
            assertEquals("7", in.getMetaString(SegmentFormat.META_FIRST_SEQUENCE));
            assertEquals("0000000000000abc", in.getMetaString(SegmentFormat.META_WRITER_ID));
            assertEquals("123", in.getMetaString(SegmentFormat.META_CREATED_MICROS));
            assertEquals("Never", in.getMetaString(SegmentFormat.META_SYNC_MODE));
            assertFalse(in.hasNext(), "a header alone holds no entries");
        }
    }

    @Test
    void shouldNameSegmentsWithTwentyDigits()
    {
        for (final long sequence : new long[] {0, 1, 981, 1_000_000_007L, Long.MAX_VALUE})
        {
            assertEquals(String.format("%020d.open", sequence), SegmentNames.open(sequence));
            assertEquals(String.format("%020d-%020d.avro", sequence, Long.MAX_VALUE),
                SegmentNames.sealed(sequence, Long.MAX_VALUE));
            assertEquals(sequence == 0 ? -1 : sequence, SegmentNames.parseOpen(SegmentNames.open(sequence)),
                "sequences start at 1");
        }
        assertThrows(IllegalArgumentException.class, () -> SegmentNames.open(-1));
    }

    private static byte[] avroHeader(final String collection, final long first, final long writerId,
        final long createdMicros, final SyncMode syncMode) throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DataFileWriter<GenericRecord> writer =
            new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(SegmentFormat.SCHEMA)))
        {
            writer.setCodec(CodecFactory.nullCodec());
            writer.setMeta(SegmentFormat.META_FORMAT_VERSION, Integer.toString(SegmentFormat.FORMAT_VERSION));
            writer.setMeta(SegmentFormat.META_COLLECTION, collection);
            writer.setMeta(SegmentFormat.META_FIRST_SEQUENCE, Long.toString(first));
            writer.setMeta(SegmentFormat.META_WRITER_ID, String.format("%016x", writerId));
            writer.setMeta(SegmentFormat.META_CREATED_MICROS, Long.toString(createdMicros));
            writer.setMeta(SegmentFormat.META_SYNC_MODE, syncMode.name());
            writer.create(SegmentFormat.SCHEMA, out, SYNC);
            writer.flush();
        }
        return out.toByteArray();
    }

    private static Map<String, String> meta(final byte[] header) throws IOException
    {
        final Map<String, String> meta = new TreeMap<>();
        try (DataFileStream<GenericRecord> in =
            new DataFileStream<>(new ByteArrayInputStream(header), new GenericDatumReader<>()))
        {
            for (final String key : in.getMetaKeys())
            {
                meta.put(key, in.getMetaString(key));
            }
        }
        return meta;
    }
}
