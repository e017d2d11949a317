package dev.spindle.wal.internal.remote;

import dev.spindle.fs.WalFileSystem;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * What a reader that lists a prefix again and again (a follower) has read of the fence: the writer epoch in each
 * segment's header and the cuts of each epoch, neither of which ever changes once written. Without it each
 * listing read the header of every segment uploaded since the newest cuts, a ranged GET each, more every second.
 * One reader thread.
 */
public final class FenceCache
{
    /** At most this many segment epochs are kept (a follower that runs for weeks lists many segments). */
    private static final int MAX_EPOCHS = 100_000;

    private final Map<String, Long> epochs = new HashMap<>();
    private long cutsEpoch;
    private Map<String, Long> cuts;

    long epochOf(final WalFileSystem fs, final String key, final String collection) throws IOException
    {
        final Long known = epochs.get(key);
        if (known != null)
        {
            return known;
        }
        final long epoch = Fence.epochOf(fs, key, collection);
        if (epoch > 0)    // not a missing or unreadable one: it may be there, whole, at the next listing
        {
            if (epochs.size() >= MAX_EPOCHS)
            {
                epochs.clear();
            }
            epochs.put(key, epoch);
        }
        return epoch;
    }

    Map<String, Long> cuts(final WalFileSystem fs, final String url, final long epoch) throws IOException
    {
        if (cuts == null || cutsEpoch != epoch)
        {
            cuts = Fence.readCuts(fs, url, epoch);
            cutsEpoch = epoch;
        }
        return cuts;
    }
}
