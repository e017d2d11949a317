package dev.spindle.wal;

import dev.spindle.wal.internal.offline.OfflineWal;
import dev.spindle.wal.internal.offline.SegmentDump;
import dev.spindle.wal.internal.tail.Follower;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SortedSet;
import java.util.function.Consumer;

/**
 * Reads a WAL's files without opening it for writing: no lane lock, nothing changed on disk. What it
 * returns is what recovery would keep (torn tails cut, unacknowledged entries after a lost sequence
 * dropped), so it can inspect a crashed WAL before, or instead of, recovering it. Used by
 * {@code spindle replay} and {@code spindle stats}; safe to run beside a live writer (it then sees a
 * recent state).
 */
public final class WalReader implements AutoCloseable
{
    /**
     * How far one segment file reads as whole blocks ({@link #readSegment}).
     *
     * @param validBytes where the whole blocks end.
     * @param fileBytes the file's size.
     * @param sealed whether the file's name says it is sealed (a sealed segment ends exactly at a block).
     * @param problem why reading stopped before the end of the file ("zeros" for preallocated space), or null.
     * @param problemOffset where the problem is, or -1.
     */
    public record SegmentEnd(long validBytes, long fileBytes, boolean sealed, String problem, long problemOffset)
    {
        /** @return whether the whole file is whole blocks. */
        public boolean whole()
        {
            return problem == null;
        }
    }

    private final OfflineWal impl;

    private WalReader(final OfflineWal impl)
    {
        this.impl = impl;
    }

    /**
     * @throws CorruptSegmentException with {@code recovery_mode = "strict"}, for corruption before a tail.
     */
    public static WalReader open(final WalOptions options)
    {
        return new WalReader(OfflineWal.open(options));
    }

    /**
     * Follow {@code collection} from its files like {@code tail -f}, from another process than the writer's, or
     * from another machine that has only the bucket of its remote lanes: every entry from {@code fromSequence} on
     * goes to {@code handler} in sequence order, without a gap, on the tail's own thread, across segment rolls,
     * restarts of the writer and checkpoints. Never takes the writer's lock, never changes a file or an object.
     * Local lanes are watched for file events (with a look every 100 ms at the latest, which a write through a
     * mapping needs); remote lanes are listed every second. What it delivers from a local lane is what the
     * writer wrote, which can be ahead of what is durable (README, "Operating Spindle").
     */
    public static WalTail tail(final WalOptions options, final String collection, final long fromSequence,
        final Consumer<WalRecord> handler)
    {
        return tail(options, collection, fromSequence, handler, Duration.ofMillis(100), Duration.ofSeconds(1));
    }

    /**
     * {@link #tail(WalOptions, String, long, Consumer)} with the longest wait between looks at local lanes, and
     * between listings of remote lanes.
     */
    public static WalTail tail(final WalOptions options, final String collection, final long fromSequence,
        final Consumer<WalRecord> handler, final Duration localPoll, final Duration remotePoll)
    {
        if (options.syncMode() == SyncMode.MemoryOnly)
        {
            throw new WalException("sync_mode = MemoryOnly keeps no files: there is nothing to tail from another " +
                "process (Wal.tail follows it in the writer's)");
        }
        return new WalTail(Follower.files(options, collection, fromSequence, handler, localPoll.toNanos(),
            remotePoll.toNanos()));
    }

    /**
     * @return by lane (its index in this configuration's {@code wal_urls}), what the writer last published in the
     *     lane's directory of its metrics ({@link Wal#metrics()}): about every second while it runs
     *     ({@link WalMetrics.Published#live()}), and once more at close. Lanes without any are left out.
     */
    public java.util.SortedMap<Integer, WalMetrics.Published> publishedMetrics()
    {
        return impl.published();
    }

    public SortedSet<String> collections()
    {
        return impl.collections();
    }

    /**
     * @return what the scan cut or skipped (torn tails, lost unsynced data, files left alone).
     */
    public List<String> notes()
    {
        return impl.notes();
    }

    /**
     * @return the highest sequence of {@code collection} that replay returns (0: none).
     */
    public long lastSequence(final String collection)
    {
        return impl.lastSequence(collection);
    }

    /**
     * @return the highest checkpoint recorded for {@code collection} in any lane.
     */
    public long checkpoint(final String collection)
    {
        return impl.checkpoint(collection);
    }

    /**
     * Replay {@code collection} from {@code fromSequence}, merged across lanes.
     */
    public WalReplay replay(final String collection, final long fromSequence)
    {
        return impl.replay(collection, fromSequence);
    }

    /**
     * @return per lane and collection what the files hold; every watermark is the last sequence on disk.
     */
    public WalStats stats()
    {
        return impl.stats();
    }

    public void close()
    {
        impl.close();
    }

    /**
     * Read one segment file on its own (no WAL opened, no lock taken), handing each entry of its whole blocks
     * to {@code each} in file order.
     *
     * @return where the whole blocks end, and why they stop there.
     * @throws CorruptSegmentException when the header is unreadable.
     */
    public static SegmentEnd readSegment(final Path file, final Consumer<WalRecord> each) throws IOException
    {
        return SegmentDump.read(file, each);
    }
}
