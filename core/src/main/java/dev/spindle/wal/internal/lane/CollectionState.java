package dev.spindle.wal.internal.lane;

import dev.spindle.wal.internal.segment.CollectionNames;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.zip.CRC32C;

/**
 * Everything the WAL knows about one collection across its lanes: the sequence counter, the lane it
 * is assigned to, and per lane the highest sequence claimed (producers), written and made durable
 * (the lane thread).
 *
 * <p><b>Watermarks.</b> An entry is acknowledged when every entry of the collection up to it is
 * written (or durable, per sync mode), whichever lanes they went to. With {@code done[L]} the highest
 * sequence lane L has written or made durable, the contiguous watermark is the last assigned sequence
 * if no lane has pending entries, else the smallest {@code done[L]} over the lanes with pending ones
 * ({@code claimed[L] > done[L]}): every sequence at or below it is done in its own lane. Readers read
 * {@link #lastAssigned} first; producers set {@code claimed} before {@code lastAssigned}, so a reader
 * never misses a pending lane. With one lane (affinity) this is simply that lane's progress.
 *
 * <p>That bound is safe but not monotonic: when an entry goes to a lane that has been idle for the
 * collection, the lane's old {@code done[L]} pulls it down until the lane writes the entry. Since a
 * bound, once true, stays true (nothing is ever un-written), the watermark is the highest bound
 * computed so far, so it never goes down.
 *
 * <p>Sequences are assigned under a tiny spin lock together with the ring slot claim, so every lane's
 * ring (and so every file) sees a collection's sequences in increasing order. The lock is never held
 * while waiting: a full ring releases it and retries.
 *
 * <p><b>Moves.</b> With collection affinity, a collection whose lane failed moves to a healthy lane
 * ({@link Router}): {@link #moveAway} restarts its sequence after what the failed lane made durable and takes that
 * lane out of the watermarks. It is the one place a watermark may go down (copies the failed lane wrote and never
 * made durable are void). A watermark computed across a move is never stored or returned: the move installs a new,
 * not yet ready set of stored watermarks ({@link Marks}) before it changes any counter, so a computation that began
 * on the old set stores into it, sees the replacement, and computes again; then it changes the counters, carries
 * the old set's values (capped below the move) into the new one, and marks it ready. A computation waits (spins)
 * for a set that is not ready: it would read counters half changed. A failed remote lane the collection left still
 * counts for the remote-durable watermark below the move: what it sealed in staging and has not uploaded yet is
 * acknowledged ({@code ack = "local"}) but not in object storage.
 */
public final class CollectionState
{
    private final String name;
    private final byte[] nameUtf8;
    private final int hash;
    private final int laneCount;
    private final boolean ackWhenDurable;
    private final boolean ackWhenRemote;
    /** Lanes whose final storage is an object store: their entries count as remote-durable once uploaded. */
    private final boolean[] remoteLanes;

    private final AtomicInteger lock = new AtomicInteger();
    private long nextSequence = 1;
    private volatile long lastAssigned;
    private volatile int assignedLane = -1;

    private final AtomicLongArray claimed;
    private final AtomicLongArray written;
    private final AtomicLongArray durable;
    private final AtomicLongArray remote;
    private final AtomicReferenceArray<LaneCollection> laneStates;
    private final Waiters waiters = new Waiters();
    private final ConcurrentSkipListMap<Long, CompletableFuture<Long>> pendingAcks = new ConcurrentSkipListMap<>();
    /** Highest watermarks computed so far: every computed value is a safe lower bound, so their max is too. */
    private volatile Marks marks = new Marks(0, 0, 0);
    private volatile long checkpointSequence;
    /** Per lane, the sequence from which the collection left it after it failed (0: never). */
    private final AtomicLongArray movedAway;

    /** The stored watermarks, replaced as a whole by a move. */
    private static final class Marks
    {
        static final int WRITTEN = 0;
        static final int DURABLE = 1;
        static final int REMOTE = 2;

        final AtomicLong[] cells;
        /** False while the move that installed these marks is still changing counters. */
        volatile boolean ready;

        Marks(final long written, final long durable, final long remote)
        {
            cells = new AtomicLong[]{new AtomicLong(written), new AtomicLong(durable), new AtomicLong(remote)};
            ready = true;
        }

        Marks(final boolean ready)
        {
            cells = new AtomicLong[]{new AtomicLong(), new AtomicLong(), new AtomicLong()};
            this.ready = ready;
        }
    }

    public CollectionState(final String name, final int laneCount, final boolean ackWhenDurable)
    {
        this(name, laneCount, ackWhenDurable, new boolean[laneCount], false);
    }

    /**
     * @param remoteLanes per lane, whether it uploads to object storage.
     * @param ackWhenRemote {@code ack = "remote"}: acknowledge at the remote-durable watermark.
     */
    public CollectionState(final String name, final int laneCount, final boolean ackWhenDurable,
        final boolean[] remoteLanes, final boolean ackWhenRemote)
    {
        this.ackWhenRemote = ackWhenRemote;
        this.remoteLanes = remoteLanes.clone();
        this.remote = new AtomicLongArray(laneCount);
        this.name = CollectionNames.validate(name);
        this.nameUtf8 = name.getBytes(StandardCharsets.UTF_8);
        final CRC32C crc = new CRC32C();
        crc.update(nameUtf8);
        this.hash = (int)crc.getValue();
        this.laneCount = laneCount;
        this.ackWhenDurable = ackWhenDurable;
        this.claimed = new AtomicLongArray(laneCount);
        this.written = new AtomicLongArray(laneCount);
        this.durable = new AtomicLongArray(laneCount);
        this.laneStates = new AtomicReferenceArray<>(laneCount);
        this.movedAway = new AtomicLongArray(laneCount);
    }

    public String name()
    {
        return name;
    }

    public byte[] nameUtf8()
    {
        return nameUtf8;
    }

    /**
     * @return a stable hash of the name (CRC32C of its UTF-8 bytes), the same in every JVM.
     */
    public int stableHash()
    {
        return hash;
    }

    /**
     * Set the state found on disk by recovery, before any append.
     *
     * @param lastSequence the highest sequence found (or the checkpoint, if higher).
     * @param lastPerLane the highest sequence found per lane (0 for none).
     */
    public void recovered(final long lastSequence, final long[] lastPerLane, final long checkpoint)
    {
        recovered(lastSequence, lastPerLane, lastPerLane, checkpoint);
    }

    /**
     * @param remotePerLane per lane, the highest sequence with all of that lane's entries up to it in object
     *     storage (for a local lane: its last sequence).
     */
    public void recovered(final long lastSequence, final long[] lastPerLane, final long[] remotePerLane,
        final long checkpoint)
    {
        nextSequence = lastSequence + 1;
        for (int l = 0; l < laneCount; l++)
        {
            claimed.set(l, lastPerLane[l]);
            written.set(l, lastPerLane[l]);
            durable.set(l, lastPerLane[l]);
            remote.set(l, remotePerLane[l]);
        }
        marks = new Marks(lastSequence, lastSequence, 0);
        checkpointSequence = checkpoint;
        lastAssigned = lastSequence;
    }

    public void lock()
    {
        int spins = 0;
        while (!lock.compareAndSet(0, 1))
        {
            if (++spins < 64)
            {
                Thread.onSpinWait();
            }
            else
            {
                Thread.yield();
            }
        }
    }

    public void unlock()
    {
        lock.set(0);
    }

    /**
     * Take the next sequence for an entry going to {@code lane}. Caller holds the lock.
     */
    public long assignLocked(final int lane)
    {
        final long sequence = nextSequence++;
        claimed.set(lane, sequence);
        lastAssigned = sequence;
        return sequence;
    }

    public long lastAssigned()
    {
        return lastAssigned;
    }

    public int assignedLane()
    {
        return assignedLane;
    }

    /** The threads parked until a watermark of this collection moves ({@link WatermarkWaits}). */
    Waiters waiters()
    {
        return waiters;
    }

    public void assignLane(final int lane)
    {
        assignedLane = lane;
    }

    /**
     * Lane thread: everything up to {@code sequence} in this lane is written. A volatile store: a lane
     * publishing progress and then looking for held futures, against another lane holding a future and
     * then reading this progress, must not both miss each other.
     */
    public void laneWritten(final int lane, final long sequence)
    {
        written.set(lane, sequence);
        waiters.wake(this);
    }

    /** Lane thread: everything up to {@code sequence} in this lane is durable. */
    public void laneDurable(final int lane, final long sequence)
    {
        if (sequence > written.get(lane))
        {
            written.set(lane, sequence);
        }
        durable.set(lane, sequence);
        if (!remoteLanes[lane])
        {
            remote.set(lane, sequence);   // a local lane's final storage is its disk
        }
        waiters.wake(this);
    }

    /**
     * Upload thread: everything of this collection up to {@code sequence} in remote lane {@code lane} is in
     * object storage. Never goes down.
     */
    public void laneRemote(final int lane, final long sequence)
    {
        long current;
        while ((current = remote.get(lane)) < sequence)
        {
            if (remote.compareAndSet(lane, current, sequence))
            {
                waiters.wake(this);
                return;
            }
        }
    }

    public long laneRemoteSequence(final int lane)
    {
        return remote.get(lane);
    }

    /**
     * @return the highest sequence with it and all before it in final storage: uploaded for remote lanes,
     *     durable for local ones.
     */
    public long remoteDurableSequence()
    {
        return watermark(remote, Marks.REMOTE);
    }

    public long laneDurableSequence(final int lane)
    {
        return durable.get(lane);
    }

    /**
     * @return the highest sequence with it and all before it written.
     */
    public long writtenSequence()
    {
        return watermark(written, Marks.WRITTEN);
    }

    /**
     * @return the highest sequence with it and all before it on stable storage.
     */
    public long durableSequence()
    {
        return watermark(durable, Marks.DURABLE);
    }

    /**
     * @return the highest sequence acknowledged under the sync mode.
     */
    public long acknowledgedSequence()
    {
        if (ackWhenRemote)
        {
            return remoteDurableSequence();
        }
        return ackWhenDurable ? durableSequence() : writtenSequence();
    }

    private long watermark(final AtomicLongArray done, final int which)
    {
        while (true)
        {
            final Marks stored = marks;
            if (!stored.ready)
            {
                Thread.onSpinWait();    // a move is changing the counters (a few stores under the collection's lock)
                continue;
            }
            final AtomicLong highest = stored.cells[which];
            long known = highest.get();
            long mark = lastAssigned;
            for (int l = 0; l < laneCount && mark > known; l++)
            {
                final long moved = movedAway.get(l);
                if (moved == 0)
                {
                    final long d = done.get(l);
                    if (d < mark && claimed.get(l) > d)
                    {
                        mark = d;
                    }
                }
                else if (which == Marks.REMOTE && remoteLanes[l])
                {
                    final long d = uploadedBeforeMove(l);
                    if (d < mark && Math.min(claimed.get(l), moved - 1) > d)
                    {
                        mark = d;    // what the failed remote lane staged below the move is not uploaded yet
                    }
                }
            }
            while (mark > known)
            {
                if (highest.compareAndSet(known, mark))
                {
                    known = mark;
                    break;
                }
                known = highest.get();    // recorded before returning: no caller ever sees it go down
            }
            if (marks == stored)
            {
                return known;
            }
            // a move replaced the marks meanwhile: this computation may have counted the failed lane's void copies
        }
    }

    /**
     * @return the highest sequence the collection may continue after, once it leaves failed lane {@code lane}:
     *     what that lane made durable or sealed, what the other lanes made durable, and the checkpoint. The lane's
     *     counters no longer change (it failed, and no sequence is assigned to a failed lane). Caller holds the
     *     lock.
     */
    long durableBeforeMove(final int lane)
    {
        long last = Math.max(durable.get(lane), Math.max(durableSequence(), checkpointSequence));
        final LaneCollection lc = laneState(lane);
        final Map.Entry<Long, dev.spindle.wal.internal.segment.SealedSegment> sealed =
            lc == null ? null : lc.sealed.lastEntry();
        if (sealed != null)
        {
            last = Math.max(last, sealed.getValue().lastSequence());
        }
        return last;
    }

    /**
     * The collection left failed lane {@code lane} (affinity): its next entry is {@code resume}, the entries of
     * that lane from {@code resume} on are void and no longer count in any watermark. Caller holds the lock
     * (no sequence is assigned meanwhile) and the router's (no other move).
     */
    void moveAway(final int lane, final long resume)
    {
        // first: a watermark computation that sees any change below stores into the retired marks and starts again
        final Marks old = marks;
        final Marks fresh = new Marks(false);
        marks = fresh;    // computations that began on the old marks now start again; new ones wait for ready
        movedAway.set(lane, resume);
        nextSequence = resume;
        lastAssigned = resume - 1;
        for (int i = 0; i < fresh.cells.length; i++)
        {
            // after the swap: every value a computation returned from the old marks is in them by now
            fresh.cells[i].set(Math.min(old.cells[i].get(), resume - 1));
        }
        fresh.ready = true;    // publishes the counters above to every computation that reads these marks
    }

    /**
     * @return the sequence from which the collection left failed lane {@code lane}: that lane's entries from it
     *     on are void (0: it never left it).
     */
    public long movedAwayAt(final int lane)
    {
        return movedAway.get(lane);
    }

    /**
     * What remote lane {@code lane}, which the collection left, has in object storage: its uploaded prefix, or the
     * checkpoint when that is higher (a checkpointed segment is deleted, not uploaded).
     */
    private long uploadedBeforeMove(final int lane)
    {
        return Math.max(remote.get(lane), checkpointSequence);
    }

    /**
     * @return true when remote lane {@code lane} holds entries of this collection that count for the remote-durable
     *     watermark and are not in object storage yet: all it took, or, once the collection left it, those below
     *     the move. They hold the watermark back until they are uploaded (a failed lane's uploader goes on trying
     *     while the WAL is open; the next open uploads what is left).
     */
    public boolean notUploadedOn(final int lane)
    {
        if (!remoteLanes[lane])
        {
            return false;
        }
        final long moved = movedAway.get(lane);
        return moved == 0 ? claimed.get(lane) > remote.get(lane) :
            Math.min(claimed.get(lane), moved - 1) > uploadedBeforeMove(lane);
    }

    /**
     * @return true when lane {@code lane} holds entries of this collection not yet acknowledged (or durable).
     */
    public boolean pendingOn(final int lane, final boolean durably)
    {
        final AtomicLongArray done = ackWhenRemote ? remote : durably || ackWhenDurable ? durable : written;
        return claimed.get(lane) > done.get(lane) && movedAway.get(lane) == 0;
    }

    /**
     * @return what lane {@code lane} holds of this collection, or null when it never held any.
     */
    public LaneCollection laneState(final int lane)
    {
        return laneStates.get(lane);
    }

    void laneState(final int lane, final LaneCollection state)
    {
        laneStates.set(lane, state);
    }

    /**
     * Hold a future whose entry is done in its lane but waits for an earlier sequence in another lane.
     */
    public void deferAck(final long sequence, final CompletableFuture<Long> future)
    {
        pendingAcks.put(sequence, future);
    }

    /**
     * Complete held futures the watermark has passed.
     */
    public void completeDeferredAcks()
    {
        if (pendingAcks.isEmpty())
        {
            return;
        }
        final long mark = acknowledgedSequence();
        Map.Entry<Long, CompletableFuture<Long>> first;
        while ((first = pendingAcks.firstEntry()) != null && first.getKey() <= mark)
        {
            if (pendingAcks.remove(first.getKey(), first.getValue()))
            {
                first.getValue().complete(first.getKey());
            }
        }
    }

    /**
     * Fail every held future (a lane this collection depends on has failed).
     */
    public void failDeferredAcks(final Throwable cause)
    {
        Map.Entry<Long, CompletableFuture<Long>> first;
        while ((first = pendingAcks.pollFirstEntry()) != null)
        {
            first.getValue().completeExceptionally(cause);
        }
    }

    public long checkpointSequence()
    {
        return checkpointSequence;
    }

    public void checkpointSequence(final long sequence)
    {
        checkpointSequence = sequence;
    }

    @Override
    public String toString()
    {
        return name;
    }
}
