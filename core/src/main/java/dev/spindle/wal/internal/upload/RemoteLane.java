package dev.spindle.wal.internal.upload;

import dev.spindle.wal.WalMetrics;
import dev.spindle.wal.internal.metrics.LogLimiter;
import dev.spindle.wal.internal.remote.Fence;
import dev.spindle.wal.internal.remote.FencedException;
import dev.spindle.wal.internal.remote.RemoteListing;
import dev.spindle.wal.internal.remote.RemoteChannel;

import dev.spindle.fs.RemoteStorageException;
import dev.spindle.fs.WalFileSystem;
import dev.spindle.wal.internal.segment.SealedSegment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The object-storage side of one remote lane: its {@link WalFileSystem}, the uploads of its sealed segments,
 * and how far each collection is in object storage.
 *
 * <p>Life of a segment: the lane thread seals it in staging and {@link #enqueue hands it over} (never waits);
 * an upload thread puts it idempotently, checks the object's size, records it as uploaded, advances the
 * collection's remote-durable watermark over the lane's contiguous uploaded prefix, completes acknowledgements
 * waiting for that ({@code ack = "remote"}), and deletes the staged copy unless {@code keep_staged_segments}.
 * A failed attempt is retried with backoff for as long as the WAL is open: the data is safe in staging, and
 * what remains is uploaded at the next open. Appenders wait while the lane's staged, not yet uploaded bytes
 * exceed {@code upload_queue_bytes}, so a slow or unreachable store fills neither memory nor the staging disk.
 *
 * <p>Uploads go on after the lane failed: what it sealed before the failure is acknowledged (with
 * {@code ack = "local"}) and, when the lane's collections moved away after its staging failed, all below the
 * move. The lane fails from here only through {@link #onConflict}: fenced ({@link FencedException}) or another
 * object under a segment's key; such a lane's collections never move. A collection moved onto this lane has its
 * move record put into the store before its next segment ({@link #uploadMoveRecord}), so the store never holds
 * the lane's entries from a move on without the record that voids the failed lane's copies of them.
 */
public final class RemoteLane implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(RemoteLane.class);

    private final int laneIndex;
    private final String url;
    private final WalFileSystem fs;
    private final Path stagingRoot;
    private final Uploader uploader;
    private final long queueLimitBytes;
    private final boolean keepStaged;

    private final Set<Upload> pending = ConcurrentHashMap.newKeySet();
    /** Per collection, staged move records to put into the store before its next segment (rarely any). */
    private final ConcurrentHashMap<String, Set<Path>> moveRecords = new ConcurrentHashMap<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicLong uploadedSegments = new AtomicLong();
    private final AtomicLong uploadedBytes = new AtomicLong();
    private final AtomicLong failedAttempts = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final UploadLag lag = new UploadLag();
    private volatile String lastError;
    /** Upload failures repeat while a store is down: one line per 10 s, saying how many were left out. */
    private final LogLimiter failureLog = new LogLimiter();
    private final LogLimiter deleteLog = new LogLimiter();
    /** This writer's hold on the prefix; null until claimed at open (and for a store opened to read). */
    private volatile Fence fence;
    private volatile java.util.function.BiConsumer<String, Throwable> onConflict = (what, cause) -> { };

    public RemoteLane(final int laneIndex, final String url, final WalFileSystem fs, final Path stagingRoot,
        final Uploader uploader, final long queueLimitBytes, final boolean keepStaged)
    {
        this.laneIndex = laneIndex;
        this.url = url;
        this.fs = fs;
        this.stagingRoot = stagingRoot;
        this.uploader = uploader;
        this.queueLimitBytes = queueLimitBytes;
        this.keepStaged = keepStaged;
    }

    /**
     * What to do when the store holds a different object under a segment's key (another writer uses the same
     * prefix): the lane fails, so that appenders get an error instead of waiting for an upload that can never
     * succeed.
     */
    public void onConflict(final java.util.function.BiConsumer<String, Throwable> handler)
    {
        this.onConflict = handler;
    }

    /**
     * Opening thread, before anything is uploaded: the epoch this writer holds. Uploads and remote deletes check
     * it; once a newer writer holds the prefix the lane fails ({@link #onConflict}).
     */
    public void fence(final Fence fence)
    {
        this.fence = fence;
    }

    public Fence fence()
    {
        return fence;
    }

    /**
     * Opening thread, after the cuts are recorded: delete what a fenced writer uploaded after the takeover
     * (the listing ignored it). A failure leaves it ignored; it is tried again at the next open.
     */
    public void deleteStrays(final List<String> keys)
    {
        for (final String key : keys)
        {
            try
            {
                fs.delete(key);
            }
            catch (final IOException | RuntimeException ex)
            {
                LOG.warn("cannot delete {}/{}, a fenced writer's upload (it stays ignored): {}", url, key,
                    ex.toString());
            }
        }
    }

    /**
     * @throws FencedException when a newer writer holds the prefix: nothing may be deleted any more.
     */
    private void checkNotFenced(final String doing) throws IOException
    {
        final String fenced = fenced();
        if (fenced != null)
        {
            throw new FencedException("cannot " + doing + ": " + fenced);
        }
    }

    /**
     * Lists the prefix's writer epochs now (a request to the store): the router asks before it moves a collection
     * off this lane once its staging failed, since a fenced writer must not go on with it elsewhere.
     *
     * @return why this writer is fenced, or null while it holds the prefix (or holds no fence).
     * @throws IOException when the store cannot tell.
     */
    public String fenced() throws IOException
    {
        final Fence held = fence;
        return held == null ? null : held.fenced();
    }

    /** Router: a move refused after {@link #putLeft}: take the record back (best effort; an open that finds it
     *  without the move record stops and says so). */
    public void deleteLeft(final String collection, final long sequence, final String writerHex) throws IOException
    {
        fs.delete(RemoteListing.leftKey(collection, sequence, writerHex));
    }

    /** Router: a move record given to {@link #uploadMoveRecord} was removed (its move went elsewhere). */
    public void forgetMoveRecord(final String collection, final Path record)
    {
        final Set<Path> records = moveRecords.get(collection);
        if (records != null)
        {
            records.remove(record);
        }
    }

    /**
     * Router, when it moves {@code collection} off this failed lane at {@code sequence}: put the record that it left
     * ({@link RemoteListing#LEFT_SUFFIX}, empty) into the store, so that another writer taking the prefix over
     * without the lane the collection went to does not go on with it there. The staging may be dead: the empty
     * object's source is a temporary file.
     */
    public void putLeft(final String collection, final long sequence, final String writerHex) throws IOException
    {
        final Path empty = Files.createTempFile("spindle-left", ".empty");
        try
        {
            fs.putIfAbsent(RemoteListing.leftKey(collection, sequence, writerHex), empty);
        }
        finally
        {
            Files.deleteIfExists(empty);
        }
    }

    public WalFileSystem fileSystem()
    {
        return fs;
    }

    public String url()
    {
        return url;
    }

    public Path stagingRoot()
    {
        return stagingRoot;
    }

    /**
     * Lane thread (or recovery): upload {@code segment} of {@code target}. Returns at once.
     */
    public void enqueue(final UploadTarget target, final SealedSegment segment)
    {
        final Upload upload = new Upload(target, segment, System.nanoTime());
        pending.add(upload);
        queuedBytes.addAndGet(segment.size());
        uploader.submit(upload);
    }

    /**
     * Any thread, before this lane takes an entry of {@code collection} after the move {@code record} (a staged
     * move record) names: put the record into the store before the collection's next segment, so that object
     * storage never holds this lane's segments from the move on without it. Returns at once.
     */
    public void uploadMoveRecord(final String collection, final Path record)
    {
        moveRecords.computeIfAbsent(collection, c -> ConcurrentHashMap.newKeySet()).add(record);
    }

    /**
     * Upload thread, before a segment of {@code collection} is put: put its move records not in the store yet.
     *
     * @throws FileAlreadyExistsException when another object lies under a record's key.
     */
    private void putMoveRecords(final String collection) throws IOException
    {
        final Set<Path> records = moveRecords.get(collection);
        if (records == null)
        {
            return;
        }
        for (final Path record : records)
        {
            final String key = RemoteListing.key(collection, record.getFileName().toString());
            if (!fs.putIfAbsent(key, record) && fs.size(key) != Files.size(record))
            {
                throw new FileAlreadyExistsException(url + "/" + key, null, "the store holds another object under " +
                    "this move record's key");
            }
            records.remove(record);
        }
    }

    /**
     * @return whether staged, not yet uploaded bytes are under {@code upload_queue_bytes}; appenders to this
     *     lane wait while they are not.
     */
    public boolean hasCapacity()
    {
        return queuedBytes.get() < queueLimitBytes;
    }

    /**
     * Wait until every upload handed over so far is done, or {@code timeoutMs} passed.
     *
     * @return the uploads still pending.
     */
    public int drain(final long timeoutMs) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!pending.isEmpty() && System.nanoTime() - deadline < 0)
        {
            Thread.sleep(5);
        }
        return pending.size();
    }

    /**
     * Mark {@code segment}, found in object storage at open, as uploaded; delete a leftover staged copy.
     */
    public void adoptUploaded(final UploadTarget target, final SealedSegment segment)
    {
        target.recordUploaded(segment);
        if (!keepStaged)
        {
            deleteStaged(segment);
        }
    }

    /** One segment's upload; runs on an upload thread, rescheduled after a failed attempt. */
    private final class Upload implements Runnable
    {
        final UploadTarget target;
        final SealedSegment segment;
        final long sealedAtNanos;
        final String key;
        int attempts;

        Upload(final UploadTarget target, final SealedSegment segment, final long sealedAtNanos)
        {
            this.target = target;
            this.segment = segment;
            this.sealedAtNanos = sealedAtNanos;
            this.key = RemoteListing.key(target.collectionName(), segment.path().getFileName().toString());
        }

        @Override
        public void run()
        {
            inFlight.incrementAndGet();
            try
            {
                attempt();
            }
            finally
            {
                inFlight.decrementAndGet();
            }
        }

        private void attempt()
        {
            if (!target.holds(segment))
            {
                finish(false);     // checkpointed before it was uploaded
                return;
            }
            try
            {
                if (refusedAsFenced())
                {
                    return;
                }
                putMoveRecords(target.collectionName());
                final boolean created;
                try
                {
                    created = fs.putIfAbsent(key, segment.path());
                }
                catch (final NoSuchFileException ex)
                {
                    if (!target.holds(segment))
                    {
                        finish(false);
                        return;
                    }
                    if (fs.size(key) == segment.size())
                    {
                        uploaded(false);
                        return;
                    }
                    throw ex;
                }
                final long size = fs.size(key);
                if (size != segment.size())
                {
                    throw new RemoteStorageException(url + "/" + key + " holds " + size + " bytes after the upload, " +
                        "the staged segment " + segment.path() + " has " + segment.size(), RemoteStorageException.NO_STATUS,
                        true, null);
                }
                if (!created && !sameContent())
                {
                    throw new FileAlreadyExistsException(url + "/" + key, null, "the store holds a different object " +
                        "of the same size under this segment's key");
                }
                uploaded(created);
            }
            catch (final IOException | RuntimeException ex)
            {
                failed(ex);
            }
        }

        /**
         * The object was there already (a retry after a crash, or an upload whose answer was lost): the size
         * matched; compare the bytes too before the staged copy may go.
         */
        private boolean sameContent() throws IOException
        {
            return new RemoteChannel(fs, key).sameBytesAs(segment.path(), segment.size());
        }

        /**
         * A newer writer holds the prefix: the lane fails and nothing is acknowledged. An object this attempt
         * created stays: the new writer's listing either saw it (it adopted it: it continues from it) or did not
         * (it lies beyond the new writer's cut, readers ignore it, the next writer deletes it). Deleting it here
         * could leave a hole in what the new writer adopted.
         *
         * @return whether this writer is fenced.
         */
        private boolean refusedAsFenced() throws IOException
        {
            final String fenced = fenced();
            if (fenced == null)
            {
                return false;
            }
            lastError = "upload of " + target.collectionName() + "/" + segment.path().getFileName() + " to " + url +
                " refused: " + fenced;
            onConflict.accept("uploading " + target.collectionName() + "/" + segment.path().getFileName(),
                new FencedException(fenced));
            finish(false);
            return true;
        }

        private void uploaded(final boolean created) throws IOException
        {
            if (refusedAsFenced())
            {
                return;
            }
            if (created)
            {
                uploadedSegments.incrementAndGet();
                uploadedBytes.addAndGet(segment.size());
                lag.record(System.nanoTime() - sealedAtNanos);    // one lag per upload counted
            }
            lastError = null;
            target.recordUploaded(segment);
            if (!target.holds(segment))
            {
                fs.delete(key);    // a checkpoint passed it during the upload
                target.forgetUploaded(segment);
            }
            else
            {
                target.remoteAdvanced();
            }
            if (!keepStaged)
            {
                deleteStaged(segment);
            }
            if (attempts > 0)
            {
                LOG.info("uploaded {} to {} after {} failed attempts", segment.path().getFileName(), url, attempts);
            }
            finish(true);
        }

        private void failed(final Exception ex)
        {
            attempts++;
            failedAttempts.incrementAndGet();
            final boolean retryable = !(ex instanceof FileAlreadyExistsException) &&
                (!(ex instanceof RemoteStorageException) || ((RemoteStorageException)ex).retryable());
            lastError = "upload of " + target.collectionName() + "/" + segment.path().getFileName() + " to " + url +
                " failed (attempt " + attempts + "): " + ex;
            if (ex instanceof FileAlreadyExistsException && deletedStray())
            {
                uploader.retry(this, 1, true);
                return;
            }
            if (ex instanceof FileAlreadyExistsException)
            {
                LOG.error("{}; another writer may be using the same prefix. The lane fails: nothing is overwritten, " +
                    "the segment stays in staging", lastError);
                onConflict.accept(lastError, ex);
            }
            else if (!retryable && failureLog.allow())
            {
                LOG.error("{}; retrying at the longest interval: the segment stays in staging until it succeeds{}",
                    lastError, failureLog.suppressed());
            }
            else if (retryable && failureLog.allow())
            {
                LOG.warn("{}; retrying with backoff{}", lastError, failureLog.suppressed());
            }
            uploader.retry(this, attempts, retryable);
        }

        /**
         * The key holds another object: when a fenced writer uploaded it after the takeover (an older epoch in
         * its header), delete it, so that this writer's segment can take the key.
         */
        private boolean deletedStray()
        {
            final Fence held = fence;
            try
            {
                if (held != null && held.isStray(key, target.collectionName()))
                {
                    LOG.warn("{}/{} holds a fenced writer's upload; deleted, uploading this writer's segment", url,
                        key);
                    fs.delete(key);
                    return true;
                }
            }
            catch (final IOException | RuntimeException check)
            {
                LOG.debug("cannot tell whether {}/{} is a fenced writer's upload", url, key, check);
            }
            return false;
        }

        private void finish(final boolean done)
        {
            if (pending.remove(this))
            {
                queuedBytes.addAndGet(-segment.size());
            }
        }
    }

    private void deleteStaged(final SealedSegment segment)
    {
        try
        {
            Files.deleteIfExists(segment.path());
        }
        catch (final IOException ex)
        {
            if (deleteLog.allow())
            {
                LOG.warn("cannot delete the staged copy {} after its upload: {}{}", segment.path(), ex.toString(),
                    deleteLog.suppressed());
            }
        }
    }

    /**
     * Lane thread: delete the remote copy of a checkpointed {@code segment} on an upload thread.
     */
    public void deleteRemoteLater(final UploadTarget target, final SealedSegment segment)
    {
        target.forgetUploaded(segment);
        uploader.submit(() -> {
            try
            {
                checkNotFenced("delete the checkpointed " + segment.path().getFileName());
                fs.delete(RemoteListing.key(target.collectionName(), segment.path().getFileName().toString()));
            }
            catch (final IOException | RuntimeException ex)
            {
                LOG.warn("cannot delete the checkpointed {} from {} (it is deleted at the next open): {}",
                    segment.path().getFileName(), url, ex.toString());
            }
        });
    }

    /**
     * Checkpoint: delete the remote copy of {@code segment} (the caller deletes the staged one).
     */
    public void deleteRemote(final UploadTarget target, final SealedSegment segment) throws IOException
    {
        checkNotFenced("delete the checkpointed " + segment.path().getFileName());
        fs.delete(RemoteListing.key(target.collectionName(), segment.path().getFileName().toString()));
        target.forgetUploaded(segment);
    }

    /**
     * Record a checkpoint in object storage too (an empty marker object named by its sequence), so that a
     * restart without the staging directory knows it; older markers are deleted afterwards.
     */
    public void writeCheckpoint(final String collection, final long sequence) throws IOException
    {
        checkNotFenced("record the checkpoint of " + collection + " at " + sequence);
        final Path empty = stagingRoot.resolve(".checkpoint-marker");
        if (!Files.exists(empty))
        {
            Files.createDirectories(stagingRoot);
            Files.write(empty, new byte[0]);
        }
        final String key = RemoteListing.checkpointKey(collection, sequence);
        fs.putIfAbsent(key, empty);
        String token = null;
        do
        {
            final WalFileSystem.Page page = fs.list(collection + "/", token);
            for (final String other : page.keys())
            {
                if (other.endsWith(RemoteListing.CHECKPOINT_SUFFIX) && other.compareTo(key) < 0)
                {
                    fs.delete(other);
                }
            }
            token = page.nextPageToken();
        }
        while (token != null);
    }

    /**
     * @return {p50, p99, max} of the upload lag (seal to verified upload) of the last uploads, in ms; zeros
     *     when none.
     */
    /** @return the upload lag (seal to verified upload) of every upload so far, in nanoseconds. */
    public WalMetrics.Distribution lagDistribution()
    {
        return lag.distribution();
    }

    public long[] lagPercentiles()
    {
        return lag.percentiles();
    }

    /** @return segments waiting for or in upload. */
    public int pendingSegments()
    {
        return pending.size();
    }

    public long pendingBytes()
    {
        return queuedBytes.get();
    }

    /** @return ms since the oldest pending segment was sealed (0: none pending). */
    public long oldestPendingMs()
    {
        long oldest = 0;
        final long now = System.nanoTime();
        for (final Upload upload : pending)
        {
            oldest = Math.max(oldest, TimeUnit.NANOSECONDS.toMillis(now - upload.sealedAtNanos));
        }
        return oldest;
    }

    public long uploadedSegments()
    {
        return uploadedSegments.get();
    }

    public long uploadedBytes()
    {
        return uploadedBytes.get();
    }

    public long failedAttempts()
    {
        return failedAttempts.get();
    }

    /** @return the last failure, or null. */
    public String lastError()
    {
        return lastError;
    }

    @Override
    public void close() throws IOException
    {
        fs.close();
    }
}
