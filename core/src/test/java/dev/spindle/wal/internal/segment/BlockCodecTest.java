package dev.spindle.wal.internal.segment;

import com.github.luben.zstd.Zstd;
import dev.spindle.wal.Codec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each codec writes exactly what Avro's own codec of that name reads, reads what Avro's own codec writes, and never
 * allocates for what damaged bytes merely claim.
 */
class BlockCodecTest
{
    private static byte[] sample(final int n)
    {
        final StringBuilder text = new StringBuilder();
        final Random random = new Random(n);
        while (text.length() < n)
        {
            text.append("{\"order\":").append(random.nextInt(1000)).append(",\"status\":\"shipped\"}\n");
        }
        return Arrays.copyOf(text.toString().getBytes(StandardCharsets.US_ASCII), n);
    }

    private static byte[] compress(final BlockCodec codec, final byte[] plain) throws IOException
    {
        final ByteBuffer direct = ByteBuffer.allocateDirect(plain.length + 10);
        direct.position(10);
        direct.put(plain);
        final byte[] out = new byte[codec.compress(direct, 10, plain.length)];
        codec.output().get(0, out);
        assertEquals(0, direct.position(), "the source is cleared after");
        return out;
    }

    @ParameterizedTest
    @EnumSource(value = Codec.class, names = {"ZSTANDARD", "SNAPPY", "DEFLATE"})
    void blocksAreAvrosOwnBothWays(final Codec codec) throws IOException
    {
        final org.apache.avro.file.Codec avro = org.apache.avro.file.AvroCodecs.of(codec.avroName());
        try (BlockCodec ours = BlockCodec.create(codec, 0))
        {
            for (final int n : new int[]{1, 100, 70_000, 1 << 20})
            {
                final byte[] plain = sample(n);
                final byte[] compressed = compress(ours, plain);
                final ByteBuffer read = avro.decompress(ByteBuffer.wrap(compressed));
                final byte[] back = new byte[read.remaining()];
                read.get(back);
                assertArrayEquals(plain, back, codec + ": Avro reads our block of " + n);

                final ByteBuffer theirs = avro.compress(ByteBuffer.wrap(plain));
                final byte[] bytes = new byte[theirs.remaining()];
                theirs.get(bytes);
                final int size = ours.decompress(bytes, 0, bytes.length);
                assertArrayEquals(plain, Arrays.copyOf(ours.entries(), size), codec + ": we read Avro's block of " + n);
            }
        }
    }

    @Test
    void theNullCodecHasNoBlockCodec()
    {
        assertNull(BlockCodec.create(Codec.NULL, 0));
    }

    @Test
    void aZstdFrameClaimingAGibibyteIsNotAllocatedUpFront() throws IOException
    {
        try (BlockCodec zstd = BlockCodec.create(Codec.ZSTANDARD, 0))
        {
            final byte[] frame = compress(zstd, sample(1000));
            // rewrite the claimed content size: a frame of the same data that says it holds 900 MiB
            final byte[] lying = lieAboutSize(frame, 900L << 20);
            assertEquals(900L << 20, Zstd.getFrameContentSize(lying), "the test frame claims 900 MiB");
            assertThrows(IOException.class, () -> zstd.decompress(lying, 0, lying.length));
            assertTrue(zstd.entries().length < 1 << 20, "allocated " + zstd.entries().length + " bytes");
        }
    }

    @Test
    void aSnappyBlockClaimingMoreThanSnappyCanExpandIsRefusedBeforeAllocating()
    {
        try (BlockCodec snappy = BlockCodec.create(Codec.SNAPPY, 0))
        {
            final byte[] lying = new byte[5 + 100 + 4];
            final byte[] claim = {(byte)0x80, (byte)0x80, (byte)0x80, (byte)0xC0, 0x03};   // 900 MiB, as a varint
            System.arraycopy(claim, 0, lying, 0, claim.length);
            final IOException ex = assertThrows(IOException.class, () -> snappy.decompress(lying, 0, lying.length));
            assertTrue(ex.getMessage().contains("claims"), ex.getMessage());
            assertTrue(snappy.entries().length < 1 << 20, "allocated " + snappy.entries().length + " bytes");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Codec.class, names = {"ZSTANDARD", "SNAPPY", "DEFLATE"})
    void aBlockCutShortOrFlippedIsAnIOExceptionNeverAWrongBlock(final Codec codec) throws IOException
    {
        try (BlockCodec blocks = BlockCodec.create(codec, 0))
        {
            final byte[] plain = sample(5000);
            final byte[] compressed = compress(blocks, plain);
            for (int cut = 0; cut < compressed.length; cut += 7)
            {
                final int at = cut;
                try
                {
                    final int size = blocks.decompress(compressed, 0, at);
                    assertTrue(size < plain.length || !Arrays.equals(plain, Arrays.copyOf(blocks.entries(), size)) ||
                        at == compressed.length, codec + " cut at " + at + " read back whole");
                }
                catch (final IOException expected)
                {
                    // the usual outcome
                }
            }
        }
    }

    /** @return {@code frame} (a single-segment zstd frame with a 2-byte content size) claiming {@code size}. */
    private static byte[] lieAboutSize(final byte[] frame, final long size)
    {
        // frame header descriptor: bits 7-6 the size field's width; set it to 8 bytes and rewrite the field
        final int descriptor = frame[4] & 0xFF;
        final int fcsFlag = descriptor >>> 6;
        final boolean singleSegment = (descriptor & 0x20) != 0;
        final int windowBytes = singleSegment ? 0 : 1;
        final int oldWidth = fcsFlag == 0 ? (singleSegment ? 1 : 0) : 1 << fcsFlag;
        final int fieldAt = 5 + windowBytes + ((descriptor & 3) == 0 ? 0 : 1 << ((descriptor & 3) - 1));
        final byte[] out = new byte[frame.length - oldWidth + 8];
        System.arraycopy(frame, 0, out, 0, fieldAt);
        out[4] = (byte)(descriptor | 0xC0);
        for (int i = 0; i < 8; i++)
        {
            out[fieldAt + i] = (byte)(size >>> (8 * i));
        }
        System.arraycopy(frame, fieldAt + oldWidth, out, fieldAt + 8, frame.length - fieldAt - oldWidth);
        return out;
    }
}
