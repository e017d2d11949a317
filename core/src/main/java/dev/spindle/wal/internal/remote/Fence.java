package dev.spindle.wal.internal.remote;

import dev.spindle.fs.Directories;
import dev.spindle.fs.RemoteStorageException;
import dev.spindle.fs.WalFileSystem;
import dev.spindle.wal.CorruptSegmentException;
import dev.spindle.wal.WalException;
import dev.spindle.wal.internal.segment.CollectionNames;
import dev.spindle.wal.internal.segment.SegmentFormat;
import dev.spindle.wal.internal.segment.SegmentReader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One writer's hold on a remote lane's prefix. Two machines may be pointed at one bucket prefix, and object
 * storage has no lock the other machine would see, so writers take turns by epoch, as SlateDB's writers do:
 *
 * <ol>
 * <li>At open, after locking its staging directory, a writer lists {@code _fence/} and takes the next epoch by
 * creating {@code _fence/{epoch:020d}} with a put that succeeds only if the object is absent (S3
 * {@code If-None-Match: *}, Azure {@code If-None-Match: *}, GCS {@code ifGenerationMatch=0}). Of two writers
 * opening at once, one gets the epoch; the other's open fails and says so.</li>
 * <li>Every segment it creates carries the epoch in its header ({@code spindle.epoch}).</li>
 * <li>After recovery, before it uploads anything, it records its <em>cuts</em> in
 * {@code _fence/{epoch:020d}.cuts}: per collection, the last sequence it adopted on this lane.</li>
 * <li>Before and after each upload, and before it deletes anything remote, it lists {@code _fence/}: once a
 * newer epoch exists it is <em>fenced</em>: an upload that raced the takeover is never acknowledged, and the
 * lane fails, so its appenders get an error naming the newer epoch. (The new writer adopted that object if its
 * listing saw it; else it lies beyond the new writer's cut.)</li>
 * </ol>
 *
 * <p>Readers ({@link RemoteListing}) take the newest epoch whose cuts exist: a segment that starts beyond its
 * collection's cut and was written under an older epoch is a fenced writer's, and is ignored (its writer
 * never acknowledged it under {@code ack = "remote"}: the upload's second check saw the newer epoch first).
 * The new writer deletes such leftovers.
 *
 * <p>A staging directory remembers its identity ({@value #IDENTITY_FILE}); each claim names it. When the newest
 * claim before this open names another identity, another writer took the prefix since this staging directory's
 * writer held it: the staged collections (segments never uploaded, superseded since) are moved aside to
 * {@code .fenced-{epoch}/} and never replayed.
 *
 * <p>Threads: claimed on the opening thread; {@link #fenced()} and {@link #isStray} run on upload threads and
 * the lane thread; the object is immutable after {@link #claim}.
 */
public final class Fence
{
    /** Where the claims and cuts live, beside the collections (whose names start with a letter or digit). */
    public static final String PREFIX = "_fence/";
    static final String CUTS_SUFFIX = ".cuts";
    static final String IDENTITY_FILE = ".fence-id";
    static final String SET_ASIDE_PREFIX = ".fenced-";
    private static final String CLAIM_MAGIC = "spindle-fence 1";
    private static final String CUTS_MAGIC = "spindle-fence-cuts 1";
    /** Claims (and their cuts) older than this many epochs are deleted by the writer that records its cuts. */
    private static final int KEEP_EPOCHS = 16;
    private static final int MAX_CLAIM_BYTES = 4096;
    private static final int CLAIM_ATTEMPTS = 4;
    private static final long MAX_CUTS_BYTES = 64L << 20;

    private final WalFileSystem fs;
    private final String url;
    private final Path stagingRoot;
    private final long epoch;

    private Fence(final WalFileSystem fs, final String url, final Path stagingRoot, final long epoch)
    {
        this.fs = fs;
        this.url = url;
        this.stagingRoot = stagingRoot;
        this.epoch = epoch;
    }

    /** @return the epoch this writer holds. */
    public long epoch()
    {
        return epoch;
    }

    /**
     * Opening thread, with the lane's staging directory locked: take the next epoch of {@code url}'s prefix.
     * When another writer took the prefix since this staging directory's writer held it, the staged collections
     * are moved aside first (one note each).
     *
     * @throws WalException when another writer took the same epoch at the same moment.
     */
    public static Fence claim(final int index, final String url, final WalFileSystem fs, final Path stagingRoot,
        final long writerId, final List<String> notes) throws IOException
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return claimOnce(index, url, fs, stagingRoot, writerId, notes);
            }
            catch (final RemoteStorageException ex)
            {
                // a store that blinks (a refused connection, a 503): the open waits a few seconds, not longer
                if (!ex.retryable() || attempt == CLAIM_ATTEMPTS)
                {
                    throw ex;
                }
                try
                {
                    Thread.sleep(100L << attempt);
                }
                catch (final InterruptedException interrupted)
                {
                    Thread.currentThread().interrupt();
                    throw ex;
                }
            }
        }
    }

    private static Fence claimOnce(final int index, final String url, final WalFileSystem fs, final Path stagingRoot,
        final long writerId, final List<String> notes) throws IOException
    {
        final String identity = identity(stagingRoot);
        final Epochs epochs = Epochs.list(fs);
        final long latest = epochs.latestClaim();
        if (latest == Long.MAX_VALUE)
        {
            throw new IOException(url + "/" + claimKey(latest) + ": the writer epochs are used up");
        }
        final long next = latest + 1;
        if (latest > 0)
        {
            final String holder = claimIdentity(fs, url, latest);
            if (!identity.equals(holder))
            {
                setAsideStaging(stagingRoot, next, url, latest, notes);
            }
        }
        final String text = CLAIM_MAGIC + "\nepoch " + next + "\nidentity " + identity + "\nwriter " +
            Long.toHexString(writerId) + "\npid " + ProcessHandle.current().pid() + "\ntaken " + Instant.now() + "\n";
        final String key = claimKey(next);
        boolean created;
        try
        {
            created = put(fs, stagingRoot, key, text);
        }
        catch (final FileAlreadyExistsException ex)
        {
            created = false;
        }
        // false: the object was there already; ours when a retried put found its own first attempt
        if (!created && !text.equals(readText(fs, url, key, MAX_CLAIM_BYTES)))
        {
            throw new WalException("wal_urls[" + index + "] = \"" + url + "\": another writer took writer epoch " +
                next + " of this prefix at the same moment (" + url + "/" + key + "); only one writer may use a " +
                "prefix. Open again to take it over, which fences that writer");
        }
        return new Fence(fs, url, stagingRoot, next);
    }

    /**
     * @return why this writer is fenced, for its appenders and its log, or null while it holds the prefix (no
     *     newer epoch is claimed): then it may upload and delete.
     */
    public String fenced() throws IOException
    {
        final long newest = Epochs.list(fs).latestClaim();
        if (newest <= epoch)
        {
            return null;
        }
        return "fenced: another writer took " + url + " over (writer epoch " + newest + " in " + PREFIX + ", this " +
            "writer holds " + epoch + "); this writer uploads nothing more and its appends fail. Its staged " +
            "segments are set aside when it opens again";
    }

    /**
     * Opening thread, after recovery and before anything is uploaded: record the last sequence adopted per
     * collection, then delete claims and cuts more than {@value #KEEP_EPOCHS} epochs old.
     */
    public void recordCuts(final Map<String, Long> cuts) throws IOException
    {
        final StringBuilder text = new StringBuilder(CUTS_MAGIC).append('\n');
        for (final Map.Entry<String, Long> cut : new TreeMap<>(cuts).entrySet())
        {
            text.append(cut.getKey()).append(' ').append(cut.getValue()).append('\n');
        }
        final String key = claimKey(epoch) + CUTS_SUFFIX;
        if (!put(fs, stagingRoot, key, text.toString()) && !text.toString().equals(readText(fs, url, key,
            MAX_CUTS_BYTES)))
        {
            throw new IOException(url + "/" + key + " exists with other cuts: another writer uses this prefix");
        }
        for (final String old : Epochs.list(fs).keysUpTo(epoch - KEEP_EPOCHS))
        {
            fs.delete(old);
        }
    }

    /**
     * @return whether the object under {@code key} (a segment of {@code collection}) was written under an older
     *     epoch than this writer's: a fenced writer's leftover that may be deleted.
     */
    public boolean isStray(final String key, final String collection) throws IOException
    {
        final long written = epochOf(fs, key, collection);
        return written >= 0 && written < epoch;
    }

    /**
     * @return the epoch in the header of the segment object {@code key}: 0 when it names none, -1 when the
     *     header cannot be read (damage is reported where the segment is read).
     */
    static long epochOf(final WalFileSystem fs, final String key, final String collection) throws IOException
    {
        try (SegmentReader reader = new SegmentReader(Path.of(key), new RemoteChannel(fs, key,
            SegmentFormat.MAX_HEADER_SIZE)))
        {
            return reader.readHeader(collection).epoch();
        }
        catch (final NoSuchFileException ex)
        {
            return -1;
        }
        catch (final CorruptSegmentException ex)
        {
            return -1;
        }
    }

    /**
     * @return the cuts recorded by {@code epoch}: collection to the last sequence it adopted.
     * @throws IOException naming the object and line when it is not a cuts file.
     */
    static Map<String, Long> readCuts(final WalFileSystem fs, final String url, final long epoch) throws IOException
    {
        final String key = claimKey(epoch) + CUTS_SUFFIX;
        final String text = readText(fs, url, key, MAX_CUTS_BYTES);
        if (text == null)
        {
            throw new NoSuchFileException(url + "/" + key);
        }
        final String[] lines = text.split("\n", -1);
        if (!CUTS_MAGIC.equals(lines[0]))
        {
            throw new IOException(url + "/" + key + ": line 1 is not '" + CUTS_MAGIC + "'");
        }
        final Map<String, Long> cuts = new TreeMap<>();
        for (int i = 1; i < lines.length; i++)
        {
            if (lines[i].isEmpty() && i == lines.length - 1)
            {
                break;
            }
            final int space = lines[i].indexOf(' ');
            final String name = space > 0 ? lines[i].substring(0, space) : "";
            long sequence = -1;
            try
            {
                sequence = Long.parseLong(lines[i].substring(space + 1));
            }
            catch (final NumberFormatException ex)
            {
                // reported below
            }
            if (!CollectionNames.isValid(name) || sequence < 0)
            {
                throw new IOException(url + "/" + key + ": line " + (i + 1) + " is not 'collection sequence'");
            }
            cuts.put(name, sequence);
        }
        return cuts;
    }

    static String claimKey(final long epoch)
    {
        return PREFIX + String.format("%020d", epoch);
    }

    private static String claimIdentity(final WalFileSystem fs, final String url, final long epoch)
        throws IOException
    {
        final String text = readText(fs, url, claimKey(epoch), MAX_CLAIM_BYTES);
        if (text != null)
        {
            for (final String line : text.split("\n"))
            {
                if (line.startsWith("identity "))
                {
                    return line.substring("identity ".length());
                }
            }
        }
        return null;
    }

    /** @return the object's text, or null when it does not exist. */
    private static String readText(final WalFileSystem fs, final String url, final String key, final long max)
        throws IOException
    {
        final long size = fs.size(key);
        if (size < 0)
        {
            return null;
        }
        if (size > max)
        {
            throw new IOException(url + "/" + key + " holds " + size + " bytes; a fence object holds at most " + max);
        }
        final ByteBuffer bytes = ByteBuffer.allocate((int)size);
        while (bytes.hasRemaining())
        {
            if (fs.read(key, bytes.position(), bytes) <= 0)
            {
                throw new IOException(url + "/" + key + " ended at byte " + bytes.position() + " of " + size);
            }
        }
        return new String(bytes.array(), StandardCharsets.UTF_8);
    }

    /** Create {@code key} holding {@code text} if absent, through a file in staging (the SPI puts files). */
    private static boolean put(final WalFileSystem fs, final Path stagingRoot, final String key, final String text)
        throws IOException
    {
        final Path file = stagingRoot.resolve(".fence-put");
        try (FileChannel channel = Directories.createFresh(file))
        {
            channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        }
        try
        {
            return fs.putIfAbsent(key, file);
        }
        finally
        {
            Files.deleteIfExists(file);
        }
    }

    /** @return this staging directory's identity, made (durably) on first use. */
    private static String identity(final Path stagingRoot) throws IOException
    {
        final Path file = stagingRoot.resolve(IDENTITY_FILE);
        if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
        {
            final String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
            if (text.matches("[0-9a-f]{32}"))
            {
                return text;
            }
        }
        final byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        final String identity = HexFormat.of().formatHex(random);
        final Path temp = stagingRoot.resolve(IDENTITY_FILE + ".tmp");
        try (FileChannel channel = Directories.createFresh(temp))
        {
            channel.write(ByteBuffer.wrap(identity.getBytes(StandardCharsets.US_ASCII)));
            channel.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Directories.fsync(stagingRoot);
        return identity;
    }

    /** Move every staged collection aside: another writer holds the prefix since these were staged. */
    private static void setAsideStaging(final Path stagingRoot, final long epoch, final String url, final long latest,
        final List<String> notes) throws IOException
    {
        final List<Path> collections = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(stagingRoot))
        {
            for (final Path entry : entries)
            {
                if (CollectionNames.isValid(entry.getFileName().toString()) &&
                    Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS))
                {
                    collections.add(entry);
                }
            }
        }
        if (collections.isEmpty())
        {
            return;
        }
        final Path aside = stagingRoot.resolve(SET_ASIDE_PREFIX + epoch);
        Files.createDirectories(aside);
        for (final Path collection : collections)
        {
            Files.move(collection, aside.resolve(collection.getFileName()), StandardCopyOption.ATOMIC_MOVE);
            notes.add(url + ": another writer took this prefix over (writer epoch " + latest + ") since this " +
                "staging directory's writer held it: its staged " + collection.getFileName() + " (never uploaded, " +
                "superseded) was moved to " + aside + " and is not replayed");
        }
        Directories.fsync(aside);
        Directories.fsync(stagingRoot);
    }

    /** The claims and cuts under {@link #PREFIX}, by epoch. */
    static final class Epochs
    {
        final TreeMap<Long, String> claims = new TreeMap<>();
        final TreeMap<Long, String> cuts = new TreeMap<>();

        static Epochs list(final WalFileSystem fs) throws IOException
        {
            final Epochs epochs = new Epochs();
            String token = null;
            do
            {
                final WalFileSystem.Page page = fs.list(PREFIX, token);
                for (final String key : page.keys())
                {
                    epochs.add(key);
                }
                token = page.nextPageToken();
            }
            while (token != null);
            return epochs;
        }

        /**
         * @return whether {@code key} is a claim or cuts object (recorded), false for anything else.
         */
        boolean add(final String key)
        {
            if (!key.startsWith(PREFIX))
            {
                return false;
            }
            final String name = key.substring(PREFIX.length());
            final boolean isCuts = name.endsWith(CUTS_SUFFIX);
            final String digits = isCuts ? name.substring(0, name.length() - CUTS_SUFFIX.length()) : name;
            if (digits.length() != 20 || !digits.chars().allMatch(Character::isDigit) ||
                digits.compareTo("09223372036854775807") > 0)
            {
                return false;
            }
            (isCuts ? cuts : claims).put(Long.parseLong(digits), key);
            return true;
        }

        long latestClaim()
        {
            return claims.isEmpty() ? 0 : claims.lastKey();
        }

        /** @return the newest epoch whose cuts exist: its writer finished adopting; 0 when none. */
        long adopted()
        {
            return cuts.isEmpty() ? 0 : cuts.lastKey();
        }

        List<String> keysUpTo(final long epoch)
        {
            final List<String> keys = new ArrayList<>(claims.headMap(epoch, true).values());
            keys.addAll(cuts.headMap(epoch, true).values());
            return keys;
        }
    }
}
