package dev.spindle.wal.internal.lane;

import dev.spindle.wal.WalException;

/**
 * Finds a failed lane that holds an entry of a collection not yet acknowledged (or durable): no later entry of
 * that collection can then be acknowledged, so appenders, waiters and the batch writer report that lane's
 * failure instead of waiting. Every failed lane is asked, not only the first lane with entries pending: a failed
 * lane behind a busy healthy one must be found. Allocation-free (appends call it); any thread.
 */
final class FailedLanes
{
    private FailedLanes()
    {
    }

    /**
     * @return the index of such a lane among {@code lanes}, or -1.
     */
    static int holding(final Lane[] lanes, final CollectionState collection, final boolean durably)
    {
        for (int l = 0; l < lanes.length; l++)
        {
            if (lanes[l].failure() != null && collection.pendingOn(l, durably))
            {
                return l;
            }
        }
        return -1;
    }

    /**
     * @return the index of a failed remote lane among {@code lanes} that holds entries of {@code collection} not in
     *     object storage yet ({@link CollectionState#notUploadedOn}), or -1.
     */
    static int notUploaded(final Lane[] lanes, final CollectionState collection)
    {
        for (int l = 0; l < lanes.length; l++)
        {
            if (lanes[l].failure() != null && collection.notUploadedOn(l))
            {
                return l;
            }
        }
        return -1;
    }

    /**
     * @return the failure of such a lane, or null.
     */
    static WalException failureHolding(final Lane[] lanes, final CollectionState collection)
    {
        final int failed = holding(lanes, collection, false);
        return failed >= 0 ? lanes[failed].failure() : null;
    }
}
