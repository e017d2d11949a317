package dev.spindle.wal.internal.remote;

import dev.spindle.fs.WalFileSystem;
import dev.spindle.wal.internal.segment.CollectionNames;
import dev.spindle.wal.internal.segment.MoveRecord;
import dev.spindle.wal.internal.segment.SealedSegment;
import dev.spindle.wal.internal.segment.SegmentNames;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a remote lane holds in object storage: per collection its sealed segments (by name), its newest
 * checkpoint marker and its move records. A listing is input like any file: a key that is not
 * {@code collection/first-last.avro}, {@code collection/sequence.checkpoint} or
 * {@code collection/sequence-writer.moved} with a valid collection name is noted and ignored, never
 * followed, so a foreign or hostile object cannot steer Spindle outside its directories.
 *
 * <p>Segments are given the staging path they would have, so that local and remote copies of one segment
 * compare equal by name; whether that file exists locally is checked where it matters. Their size is 0:
 * unknown until read.
 */
public final class RemoteListing
{
    public static final String CHECKPOINT_SUFFIX = ".checkpoint";
    /**
     * A collection left this lane: {@code {S:020d}-{W:016x}.left}, put by writer W when it moved the collection to
     * another lane at sequence S after this lane's staging failed. Entries from S on are in that other lane.
     */
    public static final String LEFT_SUFFIX = ".left";
    private static final java.util.regex.Pattern LEFT = java.util.regex.Pattern.compile("\\d{20}-[0-9a-f]{16}\\.left");

    /** Collection to its remote segments, by first sequence. */
    public final Map<String, TreeMap<Long, SealedSegment>> segments = new TreeMap<>();
    /** Collection to its newest remote checkpoint. */
    public final Map<String, Long> checkpoints = new TreeMap<>();
    /**
     * Collection to the move records a remote lane that took it put here ({@link MoveRecord#ofName}), named by
     * their staging paths.
     */
    public final Map<String, List<MoveRecord>> moves = new TreeMap<>();
    /** Collection to the names of its {@link #LEFT_SUFFIX} records, {@code S-W} (without the suffix). */
    public final Map<String, List<String>> left = new TreeMap<>();
    /** Collection to every checkpoint marker key (older ones are deleted after a newer is written). */
    final Map<String, List<String>> checkpointKeys = new TreeMap<>();
    /** Segment keys a fenced writer uploaded after a newer writer took the prefix over: ignored. */
    public final List<String> strays = new ArrayList<>();
    /** Segments that start at the same sequence as one listed before them, until the fence settles them. */
    private final List<Duplicate> sameFirst = new ArrayList<>();
    /** The writer epochs claimed in the prefix, and their cuts. */
    private final Fence.Epochs epochs = new Fence.Epochs();

    /** What earlier listings read of epochs and cuts (a follower lists again and again), or null. */
    private FenceCache cache;

    private RemoteListing()
    {
    }

    /**
     * List every key under the lane's root, page by page.
     *
     * @param stagingRoot the lane's staging directory (segment paths are given under it).
     * @param notes receives one line per ignored key.
     */
    public static RemoteListing list(final WalFileSystem fs, final String url, final Path stagingRoot,
        final List<String> notes) throws IOException
    {
        final RemoteListing listing = new RemoteListing();
        listing.addAll(fs, "", url, stagingRoot, notes);
        listing.applyFence(fs, url, notes);
        return listing;
    }

    /**
     * List the keys of one collection, and the writer epochs (a follower's look: two listings of what it needs,
     * not the whole prefix).
     */
    public static RemoteListing listCollection(final WalFileSystem fs, final String url, final Path stagingRoot,
        final String collection, final List<String> notes, final FenceCache cache) throws IOException
    {
        final RemoteListing listing = new RemoteListing();
        listing.cache = cache;
        listing.addAll(fs, Fence.PREFIX, url, stagingRoot, notes);
        listing.addAll(fs, collection + "/", url, stagingRoot, notes);
        listing.applyFence(fs, url, notes);
        return listing;
    }

    private void addAll(final WalFileSystem fs, final String prefix, final String url, final Path stagingRoot,
        final List<String> notes) throws IOException
    {
        String token = null;
        do
        {
            final WalFileSystem.Page page = fs.list(prefix, token);
            for (final String key : page.keys())
            {
                add(key, url, stagingRoot, notes);
            }
            token = page.nextPageToken();
        }
        while (token != null);
    }

    /**
     * Drop what a fenced writer uploaded after the takeover: a segment that starts beyond its collection's cut
     * in the newest recorded cuts, written under an older epoch than theirs ({@link Fence}).
     */
    private void applyFence(final WalFileSystem fs, final String url, final List<String> notes) throws IOException
    {
        final long adopted = epochs.adopted();
        final Map<String, Long> cuts = adopted == 0 ? Map.of() :
            cache != null ? cache.cuts(fs, url, adopted) : Fence.readCuts(fs, url, adopted);
        if (adopted > 0)
        {
            for (final Map.Entry<String, TreeMap<Long, SealedSegment>> collection : segments.entrySet())
            {
                final long cut = cuts.getOrDefault(collection.getKey(), 0L);
                final Iterator<SealedSegment> beyond = collection.getValue().tailMap(cut, false).values().iterator();
                while (beyond.hasNext())
                {
                    final String key = key(collection.getKey(), beyond.next().path().getFileName().toString());
                    if (isStray(fs, key, collection.getKey(), adopted, cut, url, notes))
                    {
                        beyond.remove();
                    }
                }
            }
        }
        settleDuplicates(fs, adopted, cuts, url, notes);
        segments.values().removeIf(Map::isEmpty);
    }

    /**
     * @return whether the segment {@code key}, beyond its collection's {@code cut}, was written under an older
     *     epoch than {@code adopted}'s (noted and listed in {@link #strays}).
     */
    private boolean isStray(final WalFileSystem fs, final String key, final String collection, final long adopted,
        final long cut, final String url, final List<String> notes) throws IOException
    {
        final long epoch = cache != null ? cache.epochOf(fs, key, collection) : Fence.epochOf(fs, key, collection);
        if (epoch < 0 || epoch >= adopted)
        {
            return false;
        }
        strays.add(key);
        notes.add(url + ": ignored the object " + key + ": written under writer epoch " + epoch + " beyond the " +
            "sequence " + cut + " where writer epoch " + adopted + " took the prefix over (a fenced writer's " +
            "upload; never acknowledged under ack = \"remote\")");
        return true;
    }

    private void add(final String key, final String url, final Path stagingRoot, final List<String> notes)
    {
        if (key.startsWith(Fence.PREFIX))
        {
            if (!epochs.add(key))
            {
                notes.add(url + ": ignored the object " + key + " (not a writer epoch's claim or cuts)");
            }
            return;
        }
        final int slash = key.indexOf('/');
        if (slash <= 0 || key.indexOf('/', slash + 1) >= 0)
        {
            notes.add(url + ": ignored the object " + key + " (not collection/segment)");
            return;
        }
        final String collection = key.substring(0, slash);
        final String name = key.substring(slash + 1);
        if (!CollectionNames.isValid(collection))
        {
            notes.add(url + ": ignored the object " + key + " (not a valid collection name)");
            return;
        }
        if (name.endsWith(CHECKPOINT_SUFFIX))
        {
            final String digits = name.substring(0, name.length() - CHECKPOINT_SUFFIX.length());
            final long sequence = digits.length() == 20 && digits.chars().allMatch(Character::isDigit) &&
                digits.compareTo("09223372036854775807") <= 0 ? Long.parseLong(digits) : -1;
            if (sequence >= 0)
            {
                checkpoints.merge(collection, sequence, Math::max);
                checkpointKeys.computeIfAbsent(collection, c -> new ArrayList<>()).add(key);
                return;
            }
        }
        if (LEFT.matcher(name).matches())
        {
            left.computeIfAbsent(collection, c -> new ArrayList<>()).add(name.substring(0, name.length() -
                LEFT_SUFFIX.length()));
            return;
        }
        if (MoveRecord.isName(name))
        {
            final MoveRecord move = MoveRecord.ofName(stagingRoot.resolve(collection).resolve(name));
            if (move != null)
            {
                moves.computeIfAbsent(collection, c -> new ArrayList<>()).add(move);
                return;
            }
        }
        final long[] range = SegmentNames.parseSealed(name);
        if (range == null || range[0] < 1 || range[1] < range[0])
        {
            notes.add(url + ": ignored the object " + key + " (not a sealed segment name)");
            return;
        }
        // the size is not listed by every backend; a HEAD per segment at open would cost more than it tells
        final long size = 0;
        final SealedSegment segment = new SealedSegment(stagingRoot.resolve(collection).resolve(name), range[0],
            range[1], size);
        if (segments.computeIfAbsent(collection, c -> new TreeMap<>()).putIfAbsent(range[0], segment) != null)
        {
            sameFirst.add(new Duplicate(collection, key, segment));    // settled once the fence is known
        }
    }

    /** A segment that starts at the same sequence as another of its collection. */
    private record Duplicate(String collection, String key, SealedSegment segment)
    {
    }

    /**
     * Of two segments that start at the same sequence, the one a fenced writer uploaded is a stray (the fence
     * decides, {@link #applyFence}); any other pair means two writers without fencing: the later key is ignored.
     */
    private void settleDuplicates(final WalFileSystem fs, final long adopted, final Map<String, Long> cuts,
        final String url, final List<String> notes) throws IOException
    {
        for (final Duplicate duplicate : sameFirst)
        {
            final long first = duplicate.segment().firstSequence();
            if (adopted > 0 && first > cuts.getOrDefault(duplicate.collection(), 0L) &&
                isStray(fs, duplicate.key(), duplicate.collection(), adopted, first - 1, url, notes))
            {
                continue;
            }
            final TreeMap<Long, SealedSegment> collection =
                segments.computeIfAbsent(duplicate.collection(), c -> new TreeMap<>());
            final SealedSegment held = collection.putIfAbsent(first, duplicate.segment());
            if (held != null)
            {
                notes.add(url + ": ignored the object " + duplicate.key() + ": " + held.path().getFileName() +
                    " starts at the same sequence (only one writer may use a prefix)");
            }
        }
    }

    /** @return the newest writer epoch claimed in the prefix (0: none). */
    public long latestEpoch()
    {
        return epochs.latestClaim();
    }

    /** @return the key of segment {@code fileName} of {@code collection}. */
    public static String key(final String collection, final String fileName)
    {
        return collection + "/" + fileName;
    }

    /** @return the key of the checkpoint marker of {@code collection} at {@code sequence}. */
    /** @return the key of the record that {@code collection} left this lane at {@code sequence}, moved by
     *      writer {@code writerHex}. */
    public static String leftKey(final String collection, final long sequence, final String writerHex)
    {
        return collection + "/" + String.format("%020d", sequence) + "-" + writerHex + LEFT_SUFFIX;
    }

    public static String checkpointKey(final String collection, final long sequence)
    {
        return collection + "/" + String.format("%020d", sequence) + CHECKPOINT_SUFFIX;
    }
}
