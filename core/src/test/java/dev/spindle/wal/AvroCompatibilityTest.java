package dev.spindle.wal;

import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryData;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariant 6: sealed segments are standard Avro Object Container Files, with every codec. Everything here reads
 * them with Avro's own {@link DataFileReader} and {@link GenericDatumReader} (and Avro's own codecs); no Spindle
 * reader is used.
 */
class AvroCompatibilityTest
{
    private static final String COLLECTION = "avro-compat";
    private static final Pattern SEALED_NAME = Pattern.compile("(\\d{20})-(\\d{20})\\.avro");
    private static final int ROUNDS = 40;

    @TempDir
    Path dir;

    /** What was appended, in sequence order, with what each field must read back as. */
    private record Expected(String entryId, Op op, byte[] key, byte[] value, float[] vector, Map<String, String> metadata,
                            Long expiresAt, long version, long timestampMicros)
    {
    }

    private static List<Expected> variants(final int round)
    {
        final List<Expected> list = new ArrayList<>();
        final Map<String, String> meta = new LinkedHashMap<>();
        meta.put("k1", "v1-" + round);
        meta.put("tenant", "t\u00e9nant-\u20ac-\uD834\uDD1E");
        meta.put("empty", "");
        // every field populated, a custom entry id and timestamp
        list.add(new Expected("custom-id-" + round + "-\u00fc", Op.UPDATE, ("key-" + round).getBytes(StandardCharsets.UTF_8),
            WalTestSupport.bytes(1200, round), new float[]{round, -1.5f, Float.MAX_VALUE, Float.MIN_VALUE, 0f}, meta,
            1_700_000_000_000_000L + round, 7 + round, 1_600_000_000_000_000L + round));
        // every nullable field null, generated id, default timestamp
        list.add(new Expected(null, Op.INSERT, null, null, null, null, null, 0, 0));
        // a delete with just a key and a negative version
        list.add(new Expected(null, Op.DELETE, new byte[]{0, 1, 2, (byte)0xff}, null, null, null, null, -3, 0));
        // present but empty: must not read back as null
        list.add(new Expected("empty-" + round, Op.CREATE_COLLECTION, new byte[0], new byte[0], new float[0], Map.of(),
            0L, Long.MAX_VALUE, 0));
        list.add(new Expected(null, Op.DROP_COLLECTION, null, new byte[]{9}, new float[]{3.25f}, Map.of("only", "one"),
            -1L, Long.MIN_VALUE, 0));
        list.add(new Expected(null, Op.CHECKPOINT, null, null, null, null, Long.MAX_VALUE, 1, 0));
        return list;
    }

    private static Entry toEntry(final Expected x)
    {
        final Entry e = new Entry().op(x.op).key(x.key).value(x.value).vector(x.vector).metadata(x.metadata)
            .version(x.version).entryId(x.entryId).timestampMicros(x.timestampMicros);
        if (x.expiresAt != null)
        {
            e.expiresAtMicros(x.expiresAt);
        }
        return e;
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.spindle.wal.SegmentSurgery#everyCodecInBothIoModes")
    void shouldBeReadableByStockAvroWhenSealed(final Codec codec, final IoMode ioMode) throws IOException
    {
        final Path lane = dir.resolve("lane");
        final List<Expected> expected = new ArrayList<>();
        final long before = System.currentTimeMillis() * 1000;
        try (Wal wal = Wal.open(WalOptions.builder().walUrls(lane.toString()).ioMode(ioMode).codec(codec)
            .diskSegmentSizeBytes(64 * 1024).build()))
        {
            final WalCollection c = wal.collection(COLLECTION);
            long last = 0;
            for (int round = 0; round < ROUNDS; round++)
            {
                for (final Expected x : variants(round))
                {
                    last = c.append(toEntry(x));
                    expected.add(x);
                    assertEquals(expected.size(), last);
                }
            }
            c.awaitAcknowledged(last);
        }
        final long after = System.currentTimeMillis() * 1000;

        final List<Path> files;
        try (Stream<Path> s = Files.list(lane.resolve(COLLECTION)))
        {
            files = s.filter(p -> p.getFileName().toString().endsWith(".avro")).sorted().collect(Collectors.toList());
        }
        // compressed, the entries may fit one 64 KiB segment (when batches are large)
        assertTrue(files.size() >= (codec == Codec.NULL ? 2 : 1), "small segments: the entries span several sealed " +
            "files: " + files);

        final Schema spindleSchema;
        try (InputStream in = AvroCompatibilityTest.class.getResourceAsStream("/dev/spindle/wal/WalEntry.avsc"))
        {
            assertNotNull(in, "WalEntry.avsc on the classpath");
            spindleSchema = new Schema.Parser().parse(in);
        }

        int index = 0;
        long previousGlobal = 0;
        final java.util.Set<String> generatedIds = new java.util.HashSet<>();
        for (final Path file : files)
        {
            final Matcher m = SEALED_NAME.matcher(file.getFileName().toString());
            assertTrue(m.matches(), file.toString());
            final long first = Long.parseLong(m.group(1));
            final long last = Long.parseLong(m.group(2));
            int inFile = 0;
            try (DataFileReader<GenericRecord> reader = new DataFileReader<>(file.toFile(), new GenericDatumReader<>()))
            {
                final Schema schema = reader.getSchema();
                assertEquals("dev.spindle.wal.WalEntry", schema.getFullName());
                assertEquals(spindleSchema, schema);
                assertEquals(codec.avroName(), reader.getMetaString("avro.codec"));
                assertEquals(COLLECTION, reader.getMetaString("spindle.collection"));
                assertEquals(Long.toString(first), reader.getMetaString("spindle.first_sequence"));
                assertEquals("1", reader.getMetaString("spindle.format_version"));
                while (reader.hasNext())
                {
                    final GenericRecord r = reader.next();
                    final Expected x = expected.get(index);
                    final long sequence = index + 1;
                    index++;
                    inFile++;
                    final String where = file.getFileName() + " #" + sequence;
                    assertEquals(sequence, r.get("sequence"), where);
                    assertEquals(COLLECTION, r.get("collection_id").toString(), where);
                    final long global = (Long)r.get("global_sequence");
                    assertTrue(global > previousGlobal, where + ": global_sequence increases");
                    previousGlobal = global;
                    final String id = r.get("entry_id").toString();
                    if (x.entryId != null)
                    {
                        assertEquals(x.entryId, id, where);
                    }
                    else
                    {
                        assertTrue(id.matches("[0-9a-f]{32}"), where + ": generated id " + id);
                        assertTrue(generatedIds.add(id), where + ": generated id is unique " + id);
                    }
                    final long ts = (Long)r.get("timestamp");
                    if (x.timestampMicros != 0)
                    {
                        assertEquals(x.timestampMicros, ts, where);
                    }
                    else
                    {
                        assertTrue(ts >= before - 1000 && ts <= after + 1000, where + ": append time " + ts);
                    }
                    assertTrue(r.get("op") instanceof GenericData.EnumSymbol, where);
                    assertEquals(x.op.name(), r.get("op").toString(), where);
                    assertBytes(x.key, r.get("key"), where + " key");
                    assertBytes(x.value, r.get("value"), where + " value");
                    assertVector(x.vector, r.get("vector"), where);
                    assertMetadata(x.metadata, r.get("metadata"), where);
                    assertEquals(x.expiresAt, r.get("expires_at"), where + " expires_at");
                    assertEquals(x.version, r.get("version"), where + " version");
                    assertTrue(r.get("crc32c") instanceof Integer, where);
                }
            }
            assertEquals(last - first + 1, inFile, file + " holds exactly its named range");
            assertEquals(last, index, file + " ends at its named last sequence");
            checkCrcOfEveryEntry(file, inFile);
        }
        assertEquals(expected.size(), index, "stock Avro reads every appended entry");
    }

    /**
     * The crc32c field is the CRC32C of the entry's encoded bytes that precede the field. Re-encoding a
     * decoded record with {@code GenericDatumWriter} would not give those bytes back in general (a
     * decoded metadata map is a HashMap and may be re-encoded in another order), so the check works on
     * the raw bytes of the file: Avro's {@link DataFileReader#nextBlock()} hands over each block's
     * bytes, a {@link GenericDatumReader} decodes one entry at a time from them, and the decoder's
     * position before and after gives the entry's exact bytes. The last field is an Avro int, a zigzag
     * varint at the very end of the entry: its length is that of {@link BinaryData#encodeInt} of the
     * decoded value, so the bytes before it are the entry's bytes minus that many.
     */
    private static void checkCrcOfEveryEntry(final Path file, final int expectedEntries) throws IOException
    {
        int entries = 0;
        try (DataFileReader<GenericRecord> reader = new DataFileReader<>(file.toFile(), new GenericDatumReader<>()))
        {
            final GenericDatumReader<GenericRecord> datumReader = new GenericDatumReader<>(reader.getSchema());
            final byte[] varint = new byte[5];
            while (reader.hasNext())
            {
                final long count = reader.getBlockCount();
                final ByteBuffer block = reader.nextBlock();
                final byte[] bytes = new byte[block.remaining()];
                block.duplicate().get(bytes);
                final BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, 0, bytes.length, null);
                for (long i = 0; i < count; i++)
                {
                    final int start = bytes.length - decoder.inputStream().available();
                    final GenericRecord r = datumReader.read(null, decoder);
                    final int end = bytes.length - decoder.inputStream().available();
                    final int crcField = (Integer)r.get("crc32c");
                    final int crcLength = BinaryData.encodeInt(crcField, varint, 0);
                    assertArrayEquals(java.util.Arrays.copyOf(varint, crcLength),
                        java.util.Arrays.copyOfRange(bytes, end - crcLength, end),
                        file + " #" + r.get("sequence") + ": the entry ends with its crc32c field");
                    final CRC32C crc = new CRC32C();
                    crc.update(bytes, start, end - crcLength - start);
                    assertEquals((int)crc.getValue(), crcField,
                        file + " #" + r.get("sequence") + ": crc32c is the CRC32C of the bytes before it");
                    entries++;
                }
                assertEquals(0, decoder.inputStream().available(), file + ": a block holds exactly its entries");
            }
        }
        assertEquals(expectedEntries, entries);
    }

    private static void assertBytes(final byte[] expected, final Object actual, final String where)
    {
        if (expected == null)
        {
            assertNull(actual, where);
            return;
        }
        assertTrue(actual instanceof ByteBuffer, where);
        final ByteBuffer b = ((ByteBuffer)actual).duplicate();
        final byte[] got = new byte[b.remaining()];
        b.get(got);
        assertArrayEquals(expected, got, where);
    }

    private static void assertVector(final float[] expected, final Object actual, final String where)
    {
        if (expected == null)
        {
            assertNull(actual, where + " vector");
            return;
        }
        assertNotNull(actual, where + " vector");
        @SuppressWarnings("unchecked")
        final List<Float> got = (List<Float>)actual;
        assertEquals(expected.length, got.size(), where + " vector length");
        for (int i = 0; i < expected.length; i++)
        {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(got.get(i)), where + " vector[" + i + "]");
        }
    }

    private static void assertMetadata(final Map<String, String> expected, final Object actual, final String where)
    {
        if (expected == null)
        {
            assertNull(actual, where + " metadata");
            return;
        }
        assertNotNull(actual, where + " metadata");
        final Map<String, String> got = new LinkedHashMap<>();
        ((Map<?, ?>)actual).forEach((k, v) -> got.put(k.toString(), v.toString()));
        assertEquals(expected, got, where + " metadata");
    }
}
