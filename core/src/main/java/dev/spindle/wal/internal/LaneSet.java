package dev.spindle.wal.internal;

import dev.spindle.fs.WalFileSystem;
import dev.spindle.wal.WalException;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.internal.lane.Lane;
import dev.spindle.wal.internal.remote.Fence;
import dev.spindle.wal.internal.remote.LaneUrls;
import dev.spindle.wal.internal.remote.RemoteListing;
import dev.spindle.wal.internal.remote.RemoteStore;
import dev.spindle.wal.internal.upload.RemoteLane;
import dev.spindle.wal.internal.upload.Uploader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The lanes of one WAL, opened in {@code wal_urls} order: for a remote URL, its object store (opened and
 * listed), its {@link RemoteLane} and the uploader its backend shares; then the {@link Lane} itself (locked).
 * What was opened is released again, in reverse, by {@link #release}. The opening and closing thread owns it.
 */
final class LaneSet
{
    private static final Logger LOG = LoggerFactory.getLogger(LaneSet.class);

    final List<Path> roots;
    final Lane[] lanes;
    private final RemoteLane[] remotes;
    private final Map<String, Uploader> uploaders = new TreeMap<>();
    /** Per lane, what its object store held at open, or null for a local lane. */
    final List<RemoteListing> listings = new ArrayList<>();
    /** Objects the listings ignored. */
    final List<String> listingNotes = new ArrayList<>();

    private LaneSet(final List<Path> roots)
    {
        this.roots = roots;
        this.lanes = new Lane[roots.size()];
        this.remotes = new RemoteLane[roots.size()];
    }

    /**
     * @throws WalException naming the lane that cannot be opened; whatever was opened is released.
     */
    static LaneSet open(final WalOptions options, final long writerId) throws IOException
    {
        final LaneSet set = new LaneSet(LaneUrls.resolve(options.walUrls(), options.stagingDir()));
        try
        {
            for (int i = 0; i < set.lanes.length; i++)
            {
                set.openLane(i, options, writerId);
            }
            for (final Lane lane : set.lanes)
            {
                lane.peers(set.lanes);
            }
            return set;
        }
        catch (final IOException | RuntimeException ex)
        {
            set.release();
            throw ex;
        }
    }

    private void openLane(final int i, final WalOptions options, final long writerId) throws IOException
    {
        final String url = options.walUrls().get(i);
        if (LaneUrls.isRemote(url))
        {
            if (!options.syncMode().writesFiles())
            {
                throw new WalException("wal_urls[" + i + "] = \"" + url + "\": sync_mode MemoryOnly keeps no " +
                    "files, so a remote lane would upload nothing; use a local path or another sync_mode");
            }
            final WalFileSystem fs = RemoteStore.open(i, url, options);
            final Uploader uploader = uploaders.computeIfAbsent(LaneUrls.backend(url), b -> new Uploader(b,
                options.uploadConcurrency(), options.uploadRetryBaseMs(), options.uploadRetryMaxMs()));
            remotes[i] = new RemoteLane(i, url, fs, roots.get(i), uploader, options.uploadQueueBytes(),
                options.keepStagedSegments());
            remotes[i].onConflict((what, cause) -> lanes[i].requestFailure(what, cause));
            // locked first: a second process on this staging directory must not claim an epoch
            lanes[i] = new Lane(i, url, roots.get(i), options, writerId, remotes[i], lanes.length);
            final Fence fence;
            try
            {
                fence = Fence.claim(i, url, fs, roots.get(i), writerId, listingNotes);
            }
            catch (final IOException ex)
            {
                throw new WalException("wal_urls[" + i + "] = \"" + url + "\": cannot take a writer epoch in " +
                    Fence.PREFIX + " (a remote lane writes only once it holds its prefix, so that a second " +
                    "writer on the same prefix is fenced, not mixed in): " + ex.getMessage(), ex);
            }
            remotes[i].fence(fence);
            lanes[i].epoch(fence.epoch());
            listings.add(RemoteListing.list(fs, url, roots.get(i), listingNotes));
            return;
        }
        listings.add(null);
        lanes[i] = new Lane(i, url, roots.get(i), options, writerId, remotes[i], lanes.length);
    }

    /**
     * Release lanes (threads, locks), uploaders and object stores, whichever were opened.
     *
     * @return what failed.
     */
    List<Throwable> release()
    {
        for (final Lane lane : lanes)
        {
            if (lane != null)
            {
                lane.close();
            }
        }
        uploaders.values().forEach(Uploader::close);
        final List<Throwable> errors = new ArrayList<>();
        for (final RemoteLane remote : remotes)
        {
            if (remote != null)
            {
                try
                {
                    remote.close();
                }
                catch (final IOException | RuntimeException ex)
                {
                    LOG.warn("closing {}: {}", remote.url(), ex.toString());
                    errors.add(ex);
                }
            }
        }
        return errors;
    }
}
