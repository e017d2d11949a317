package dev.spindle.wal.internal.segment;

import dev.spindle.fs.Directories;
import dev.spindle.wal.CorruptSegmentException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A move record: the collection whose lane failed went on in the lane whose collection directory holds this
 * file. Named {@code {sequence:020d}-{writer:016x}.moved}; four lines of ASCII:
 *
 * <pre>
 * spindle-move v1
 * sequence=S
 * writer=W
 * from=URL
 * </pre>
 *
 * It says: from sequence S on, the entries the writer W (the {@code spindle.writer_id} of a segment's header, one
 * per open of the WAL) wrote of this collection belong to this lane; W's copies of them in any other lane (the
 * failed lane, {@code from}, which took them but never acknowledged them) are void. Written atomically (temp
 * file, fsync, rename, directory fsync) before this lane takes any entry of the collection. At most
 * {@link #MAX_BYTES} bytes are read; anything else in the file is an error naming it. A remote lane also puts the
 * file into object storage, under {@code {collection}/} and its name, before the first segment of the collection
 * it uploads after it ({@link #ofName} reads it back from a listing), so that readers without that lane's staging
 * apply it too.
 *
 * @param file where it was read.
 * @param sequence S, the first sequence this lane holds for the writer.
 * @param writer W, as 16 hex digits.
 * @param from the failed lane's URL (for people; the rule needs only S and W).
 */
public record MoveRecord(Path file, long sequence, String writer, String from)
{
    public static final String SUFFIX = ".moved";
    /** A record is a few hundred bytes; no more than this is read. */
    static final int MAX_BYTES = 4096;
    private static final Pattern NAME = Pattern.compile("(\\d{20})-([0-9a-f]{16})\\.moved");
    private static final Pattern TEXT = Pattern.compile(
        "spindle-move v1\nsequence=(\\d{1,19})\nwriter=([0-9a-f]{16})\nfrom=([\\x21-\\x7e]{1,2048})\n");

    /**
     * @return the file name of the record for {@code sequence} and {@code writerId}.
     */
    public static String name(final long sequence, final long writerId)
    {
        final String open = SegmentNames.open(sequence);
        return open.substring(0, open.length() - SegmentNames.OPEN_SUFFIX.length()) + "-" +
            SegmentFormat.writerIdHex(writerId) + SUFFIX;
    }

    /**
     * @return whether {@code fileName} is a move record's name (its content may still be wrong).
     */
    public static boolean isName(final String fileName)
    {
        return NAME.matcher(fileName).matches();
    }

    /**
     * Record durably, in collection directory {@code directory}, that the collection moved there at
     * {@code sequence} from the lane {@code fromUrl}.
     *
     * @return the record's file.
     */
    public static Path write(final Path directory, final long sequence, final long writerId, final String fromUrl)
        throws IOException
    {
        final Path file = directory.resolve(name(sequence, writerId));
        FileSync.writeAtomically(file, ("spindle-move v1\nsequence=" + sequence + "\nwriter=" +
            SegmentFormat.writerIdHex(writerId) + "\nfrom=" + printable(fromUrl) + "\n")
            .getBytes(StandardCharsets.US_ASCII));
        return file;
    }

    /** A URL as one printable ASCII word (spaces and anything else escaped as %XX), at most 2,048 characters. */
    private static String printable(final String url)
    {
        final StringBuilder out = new StringBuilder();
        for (final byte b : url.getBytes(StandardCharsets.UTF_8))
        {
            if (b > 0x20 && b < 0x7f && b != '%')
            {
                out.append((char)b);
            }
            else
            {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.length() <= 2048 ? out.toString() : out.substring(0, 2048);
    }

    /**
     * The record a remote lane put into object storage under {@code file}'s name (its staging path, as remote
     * segments are named): the name gives S and W, all the rule needs; {@code from} is left empty (the object's
     * text, the same four lines as the staged file, names it for people).
     *
     * @return the record, or null when the name is not a move record's.
     */
    public static MoveRecord ofName(final Path file)
    {
        final Matcher name = NAME.matcher(file.getFileName().toString());
        if (!name.matches() || name.group(1).compareTo("09223372036854775807") > 0)
        {
            return null;
        }
        final long sequence = Long.parseLong(name.group(1));
        return sequence <= 0 ? null : new MoveRecord(file, sequence, name.group(2), "");
    }

    /**
     * Read a record, checking every byte of it against its format and its name.
     *
     * @throws CorruptSegmentException naming the file when it is not a whole, well-formed record.
     */
    public static MoveRecord read(final Path file) throws IOException
    {
        final Matcher name = NAME.matcher(file.getFileName().toString());
        if (!name.matches())
        {
            throw new CorruptSegmentException(file, 0, "not a move record's name ({sequence:020d}-{writer}.moved)");
        }
        final BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class,
            LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isRegularFile())
        {
            // a FIFO would block the open, a device would be read: neither is a record
            throw new CorruptSegmentException(file, 0, "a move record's name on something that is not a regular file");
        }
        final String read = Directories.readAtMost(file, MAX_BYTES + 1);
        if (read.length() > MAX_BYTES)
        {
            throw new CorruptSegmentException(file, MAX_BYTES, "move record longer than " + MAX_BYTES + " bytes");
        }
        final Matcher text = TEXT.matcher(read);
        if (!text.matches())
        {
            throw new CorruptSegmentException(file, 0, "move record does not hold 'spindle-move v1', " +
                "'sequence=S', 'writer=W' and 'from=URL', one a line");
        }
        final long sequence;
        final long named;
        try
        {
            sequence = Long.parseLong(text.group(1));
            named = Long.parseLong(name.group(1));
        }
        catch (final NumberFormatException ex)
        {
            throw new CorruptSegmentException(file, 0, "move record's sequence is out of range");
        }
        if (sequence <= 0 || sequence != named || !text.group(2).equals(name.group(2)))
        {
            throw new CorruptSegmentException(file, 0, "move record's sequence " + sequence + " and writer " +
                text.group(2) + " do not match its name");
        }
        return new MoveRecord(file, sequence, text.group(2), text.group(3));
    }
}
