package dev.spindle.wal.fuzz;

import dev.spindle.wal.IoMode;
import dev.spindle.wal.RecoveryMode;
import dev.spindle.wal.internal.segment.CheckpointFile;
import dev.spindle.wal.internal.segment.SegmentNames;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The input of {@link RecoveryFuzzTest}: the files of one collection directory of a lane, and how to open it,
 * packed into bytes that a fuzzer mutates and a seed writer builds from real files.
 *
 * <pre>
 *   input  := flags:u8 file*                  at most {@link #MAX_FILES} files; bytes after them are ignored
 *   flags  := bit 0: recovery_mode lenient (else strict)   bit 1: io_mode mmap (else pwrite)
 *             bit 2: after the append and close, open the WAL again: it must replay the same
 *   file   := kind:u8 first:u16 span:u16 length:u24 bytes[length]     (big-endian; length cut to what is left)
 *   kind   := bits 0-1: 0 active segment {first:020d}.open
 *                       1 sealed segment {first:020d}-{first+span:020d}.avro
 *                       2 the checkpoint file
 *                       3 a sealed segment set aside by lenient recovery: {first}-{first+span}.avro.corrupt
 *             bit 7:    make the CRC32C of every whole entry right first ({@link CrcFixup})
 * </pre>
 */
record LaneImage(RecoveryMode recoveryMode, IoMode ioMode, boolean reopen, List<File> files)
{
    static final int MAX_FILES = 4;
    static final int KIND_OPEN = 0;
    static final int KIND_SEALED = 1;
    static final int KIND_CHECKPOINT = 2;
    static final int KIND_SET_ASIDE = 3;
    static final int FIX_CRC = 0x80;
    private static final int FILE_HEADER = 1 + 2 + 2 + 3;

    /** One file of the collection directory. */
    record File(String name, byte[] bytes)
    {
        @Override
        public String toString()
        {
            return name + " (" + bytes.length + " bytes)";
        }
    }

    static LaneImage parse(final byte[] input)
    {
        if (input.length == 0)
        {
            return new LaneImage(RecoveryMode.strict, IoMode.pwrite, false, List.of());
        }
        final int flags = input[0] & 0xff;
        final List<File> files = new ArrayList<>();
        int pos = 1;
        while (files.size() < MAX_FILES && input.length - pos >= FILE_HEADER)
        {
            final int kind = input[pos] & 0xff;
            final long first = u16(input, pos + 1);
            final long span = u16(input, pos + 3);
            final int length = Math.min(u24(input, pos + 5), input.length - pos - FILE_HEADER);
            pos += FILE_HEADER;
            byte[] bytes = Arrays.copyOfRange(input, pos, pos + length);
            pos += length;
            if ((kind & FIX_CRC) != 0)
            {
                bytes = CrcFixup.fix(bytes);
            }
            files.add(new File(name(kind & 3, first, span), bytes));
        }
        return new LaneImage((flags & 1) != 0 ? RecoveryMode.lenient : RecoveryMode.strict,
            (flags & 2) != 0 ? IoMode.mmap : IoMode.pwrite, (flags & 4) != 0, files);
    }

    private static String name(final int kind, final long first, final long span)
    {
        switch (kind)
        {
            case KIND_OPEN:
                return SegmentNames.open(first);
            case KIND_SEALED:
                return SegmentNames.sealed(first, first + span);
            case KIND_CHECKPOINT:
                return CheckpointFile.NAME;
            default:
                return SegmentNames.sealed(first, first + span) + ".corrupt";
        }
    }

    /** Write the files into {@code collectionDir} (a later file of the same name replaces an earlier one). */
    void writeTo(final Path collectionDir) throws IOException
    {
        Files.createDirectories(collectionDir);
        for (final File f : files)
        {
            Files.write(collectionDir.resolve(f.name()), f.bytes());
        }
    }

    /** @return the largest size of a file called {@code name}, or -1 when none is. */
    long sizeOf(final String name)
    {
        long size = -1;
        for (final File f : files)
        {
            if (f.name().equals(name))
            {
                size = Math.max(size, f.bytes().length);
            }
        }
        return size;
    }

    /** Build an input (for the seed corpus). */
    static final class Builder
    {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Builder(final RecoveryMode recoveryMode, final IoMode ioMode, final boolean reopen)
        {
            out.write((recoveryMode == RecoveryMode.lenient ? 1 : 0) | (ioMode == IoMode.mmap ? 2 : 0) |
                (reopen ? 4 : 0));
        }

        Builder file(final int kind, final long first, final long last, final byte[] bytes)
        {
            if (first > 0xffff || last - first > 0xffff || bytes.length > 0xffffff)
            {
                throw new IllegalArgumentException("does not fit the format: " + first + ".." + last + ", " +
                    bytes.length + " bytes");
            }
            out.write(kind);
            out.write((int)(first >>> 8));
            out.write((int)first);
            out.write((int)((last - first) >>> 8));
            out.write((int)(last - first));
            out.write(bytes.length >>> 16);
            out.write(bytes.length >>> 8);
            out.write(bytes.length);
            out.writeBytes(bytes);
            return this;
        }

        byte[] build()
        {
            return out.toByteArray();
        }
    }

    private static long u16(final byte[] b, final int at)
    {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    private static int u24(final byte[] b, final int at)
    {
        return ((b[at] & 0xff) << 16) | ((b[at + 1] & 0xff) << 8) | (b[at + 2] & 0xff);
    }
}
