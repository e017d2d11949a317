package dev.spindle.wal.fuzz;

import java.io.ByteArrayOutputStream;
import java.util.zip.CRC32C;

/**
 * Rewrites the {@code crc32c} field of every entry that still parses in a (fuzzed) segment so that it matches
 * the entry's bytes, and each block's size to match. A fuzzer cannot forge CRC32Cs, so without this nearly
 * every mutation of an entry stops at the checksum and the code behind it (sequences, names, replay, gaps) is
 * never reached. Bytes that do not parse are copied as they are: the result is a damaged segment as often as
 * the input was, only with valid checksums where entries are whole. Bounds-checked throughout (it reads fuzzer
 * input too), never allocates more than the input's size.
 *
 * <pre>
 *   header: "Obj" 1 | map of (string, bytes) in blocks | 16-byte sync      (copied as it is)
 *   block:  count | size | size bytes of entries | 16-byte sync          (size rewritten)
 *   entry:  WalEntry fields ... version | crc32c (zigzag varint int)      (crc32c rewritten)
 * </pre>
 */
final class CrcFixup
{
    private static final int SYNC = 16;

    /** Input that is not what the reader expects at this point. */
    private static final class Bad extends Exception
    {
        private static final long serialVersionUID = 1L;

        Bad()
        {
            super(null, null, false, false);
        }
    }

    /** A read position in {@code bytes}, never past {@code end}. */
    private static final class Cursor
    {
        final byte[] bytes;
        final int end;
        int pos;

        Cursor(final byte[] bytes, final int pos, final int end)
        {
            this.bytes = bytes;
            this.pos = pos;
            this.end = end;
        }

        long varlong() throws Bad
        {
            long raw = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                if (pos >= end)
                {
                    throw new Bad();
                }
                final int b = bytes[pos++] & 0xff;
                raw |= (long)(b & 0x7f) << shift;
                if (b < 0x80)
                {
                    return (raw >>> 1) ^ -(raw & 1);
                }
            }
            throw new Bad();
        }

        void skip(final long length) throws Bad
        {
            if (length < 0 || length > end - pos)
            {
                throw new Bad();
            }
            pos += (int)length;
        }

        void skipString() throws Bad
        {
            skip(varlong());
        }

        boolean present() throws Bad
        {
            final long index = varlong();
            if (index != 0 && index != 1)
            {
                throw new Bad();
            }
            return index == 1;
        }

        /** @return the item count of the next array or map block (a negative count is followed by a size). */
        long blockCount() throws Bad
        {
            final long count = varlong();
            if (count >= 0)
            {
                return count;
            }
            varlong();
            return count == Long.MIN_VALUE ? Long.MAX_VALUE : -count;
        }
    }

    private CrcFixup()
    {
    }

    /**
     * @return {@code segment} with every whole entry's CRC32C made right, or {@code segment} itself when its
     *     header does not parse.
     */
    static byte[] fix(final byte[] segment)
    {
        final int headerEnd = headerEnd(segment);
        if (headerEnd < 0)
        {
            return segment;
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream(segment.length + 64);
        out.write(segment, 0, headerEnd);
        int pos = headerEnd;
        while (pos < segment.length)
        {
            final Cursor c = new Cursor(segment, pos, segment.length);
            final long count;
            final long size;
            try
            {
                count = c.varlong();
                size = c.varlong();
            }
            catch (final Bad ex)
            {
                break;
            }
            if (count <= 0 || size <= 0 || size > segment.length - c.pos - SYNC)
            {
                break;
            }
            final int bodyEnd = c.pos + (int)size;
            final ByteArrayOutputStream body = fixEntries(segment, c.pos, bodyEnd, count);
            writeVarlong(out, count);
            writeVarlong(out, body.size());
            out.write(body.toByteArray(), 0, body.size());
            out.write(segment, bodyEnd, SYNC);
            pos = bodyEnd + SYNC;
        }
        out.write(segment, pos, segment.length - pos);
        return out.toByteArray();
    }

    private static ByteArrayOutputStream fixEntries(final byte[] segment, final int from, final int to,
        final long count)
    {
        final ByteArrayOutputStream body = new ByteArrayOutputStream(to - from + 16);
        final Cursor c = new Cursor(segment, from, to);
        final CRC32C crc = new CRC32C();
        int copied = from;
        for (long i = 0; i < count && c.pos < to; i++)
        {
            final int start = c.pos;
            try
            {
                skipEntryBeforeCrc(c);
                final int crcAt = c.pos;
                c.varlong();
                crc.reset();
                crc.update(segment, start, crcAt - start);
                body.write(segment, start, crcAt - start);
                writeVarlong(body, (int)crc.getValue());
                copied = c.pos;
            }
            catch (final Bad ex)
            {
                break;
            }
        }
        body.write(segment, copied, to - copied);
        return body;
    }

    /** Skip the WalEntry fields before {@code crc32c} (see WalEntry.avsc). */
    private static void skipEntryBeforeCrc(final Cursor c) throws Bad
    {
        c.skipString();                 // entry_id
        c.skipString();                 // collection_id
        c.varlong();                    // sequence
        c.varlong();                    // global_sequence
        c.varlong();                    // timestamp
        c.varlong();                    // op
        for (int field = 0; field < 2; field++)         // key, value
        {
            if (c.present())
            {
                c.skipString();
            }
        }
        if (c.present())                // vector
        {
            for (long n = c.blockCount(); n != 0; n = c.blockCount())
            {
                c.skip(n > Integer.MAX_VALUE ? -1 : n * Float.BYTES);
            }
        }
        if (c.present())                // metadata
        {
            for (long n = c.blockCount(); n != 0; n = c.blockCount())
            {
                for (long i = 0; i < n; i++)
                {
                    c.skipString();
                    c.skipString();
                }
            }
        }
        if (c.present())                // expires_at
        {
            c.varlong();
        }
        c.varlong();                    // version
    }

    /** @return where the container header (magic, metadata, sync marker) ends, or -1 when it does not parse. */
    private static int headerEnd(final byte[] segment)
    {
        if (segment.length < 4 || segment[0] != 'O' || segment[1] != 'b' || segment[2] != 'j' || segment[3] != 1)
        {
            return -1;
        }
        final Cursor c = new Cursor(segment, 4, segment.length);
        try
        {
            for (long n = c.blockCount(); n != 0; n = c.blockCount())
            {
                for (long i = 0; i < n; i++)
                {
                    c.skipString();
                    c.skipString();
                }
            }
            c.skip(SYNC);
            return c.pos;
        }
        catch (final Bad ex)
        {
            return -1;
        }
    }

    /** Avro's zigzag varint. */
    private static void writeVarlong(final ByteArrayOutputStream out, final long value)
    {
        long n = (value << 1) ^ (value >> 63);
        while ((n & ~0x7fL) != 0)
        {
            out.write((int)((n & 0x7f) | 0x80));
            n >>>= 7;
        }
        out.write((int)n);
    }
}
