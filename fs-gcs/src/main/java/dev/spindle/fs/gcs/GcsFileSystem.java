package dev.spindle.fs.gcs;

import com.google.cloud.ReadChannel;
import com.google.cloud.WriteChannel;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.Storage.BlobField;
import com.google.cloud.storage.Storage.BlobListOption;
import com.google.cloud.storage.Storage.BlobTargetOption;
import com.google.cloud.storage.Storage.BlobWriteOption;
import dev.spindle.fs.RemoteStorageException;
import dev.spindle.fs.WalFileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link WalFileSystem} over one Google Cloud Storage bucket and prefix, through the JSON API client.
 *
 * <p>A put is conditional on the object not existing ({@code ifGenerationMatch=0}), so a retried upload can
 * never overwrite a different segment: on 412 the existing object's size decides between "already done" and
 * an error. Files below {@code resumable_threshold_bytes} go in one multipart request; larger ones in a
 * resumable session of {@code chunk_size_bytes} chunks, each of which the client retries and resumes on its
 * own. A failed resumable upload is abandoned, never closed: closing the client's channel finalizes the
 * object with whatever was sent, which would leave a truncated segment under the key.
 *
 * <p>Thread safety: the {@link Storage} client is thread safe and every call here is independent, so one
 * instance serves all of a lane's threads.
 */
final class GcsFileSystem implements WalFileSystem
{
    private static final Logger LOG = LoggerFactory.getLogger(GcsFileSystem.class);
    private static final String CONTENT_TYPE = "application/octet-stream";
    /** Bytes read from the source file per write to the upload channel (which buffers a whole chunk). */
    private static final int COPY_BUFFER = 1024 * 1024;

    private final Storage storage;
    private final GcsLocation location;
    private final GcsSettings settings;

    GcsFileSystem(final Storage storage, final GcsLocation location, final GcsSettings settings)
    {
        this.storage = storage;
        this.location = location;
        this.settings = settings;
    }

    @Override
    public boolean putIfAbsent(final String key, final Path source) throws IOException
    {
        final BlobId id = blobId(key);
        final long length = Files.size(source);
        final BlobInfo info = BlobInfo.newBuilder(id).setContentType(CONTENT_TYPE).build();
        if (length < settings.resumableThreshold())
        {
            final byte[] content = Files.readAllBytes(source);
            // segments are compressed already: gzipping the request would only cost CPU
            return put(id, length, () -> storage.create(info, content, BlobTargetOption.doesNotExist(),
                BlobTargetOption.disableGzipContent()));
        }
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ))
        {
            return put(id, length, () -> uploadResumable(info, in, length, source));
        }
    }

    /** @return true when {@code upload} created the object, false when the same size was there already. */
    private boolean put(final BlobId id, final long length, final Upload upload) throws IOException
    {
        try
        {
            upload.run();
            return true;
        }
        catch (final SourceReadFailure ex)
        {
            throw ex.getCause();   // a local failure, not the store's
        }
        catch (final IOException | RuntimeException ex)
        {
            if (GcsErrors.status(ex) == GcsErrors.PRECONDITION_FAILED)
            {
                return sameSizeExists(id, length, ex);
            }
            throw GcsErrors.translate("put " + describe(id), ex, false);
        }
    }

    private void uploadResumable(final BlobInfo info, final FileChannel in, final long length, final Path source)
        throws IOException
    {
        // opens the session (and fails with 412 there if the object exists); not closed unless all went well
        final WriteChannel writer = storage.writer(info, BlobWriteOption.doesNotExist(),
            BlobWriteOption.disableGzipContent());
        writer.setChunkSize(settings.chunkSize());
        final ByteBuffer buffer = ByteBuffer.allocate((int)Math.min(COPY_BUFFER, length));
        long sent = 0;
        while (sent < length)
        {
            buffer.clear();
            if (length - sent < buffer.capacity())
            {
                buffer.limit((int)(length - sent));
            }
            final int n = readSource(in, buffer, sent);
            if (n < 0)
            {
                break;
            }
            buffer.flip();
            while (buffer.hasRemaining())
            {
                writer.write(buffer);
            }
            sent += n;
        }
        if (sent != length)
        {
            throw new SourceReadFailure(new IOException("GCS put " + describe(info.getBlobId()) + ": " + source +
                " shrank from " + length + " to " + sent + " bytes during the upload; the upload was abandoned"));
        }
        writer.close();   // sends the last chunk with the total size: the object appears now
    }

    private static int readSource(final FileChannel in, final ByteBuffer buffer, final long position)
        throws SourceReadFailure
    {
        try
        {
            return in.read(buffer, position);
        }
        catch (final IOException ex)
        {
            throw new SourceReadFailure(ex);
        }
    }

    /** A 412: the key exists. The same size means an earlier attempt of this upload got there. */
    private boolean sameSizeExists(final BlobId id, final long length, final Exception refused) throws IOException
    {
        final Blob existing;
        try
        {
            existing = storage.get(id);
        }
        catch (final RuntimeException ex)
        {
            throw GcsErrors.translate("get " + describe(id), ex, false);
        }
        if (existing == null)
        {
            // deleted between the refusal and this look: let the uploader try again
            throw new RemoteStorageException("GCS put " + describe(id) + " was refused (412) but the object is gone",
                GcsErrors.PRECONDITION_FAILED, true, refused);
        }
        final long size = existing.getSize() == null ? -1 : existing.getSize();
        if (size == length)
        {
            return false;
        }
        throw new FileAlreadyExistsException(describe(id), null,
            "exists with " + size + " bytes (generation " + existing.getGeneration() + "), the upload has " + length);
    }

    @Override
    public int read(final String key, final long offset, final ByteBuffer destination) throws IOException
    {
        final BlobId id = blobId(key);
        if (offset < 0)
        {
            throw new IllegalArgumentException("negative offset " + offset + " reading " + key);
        }
        if (!destination.hasRemaining())
        {
            final long size = size(key);
            if (size < 0)
            {
                throw new NoSuchFileException(describe(id));
            }
            return offset >= size ? -1 : 0;
        }
        try (ReadChannel reader = storage.reader(id))
        {
            reader.setChunkSize(0);   // read straight into the destination: no second buffer, no read-ahead
            reader.seek(offset);
            reader.limit(offset + destination.remaining());
            int total = 0;
            while (destination.hasRemaining())
            {
                final int n = reader.read(destination);
                if (n < 0)
                {
                    break;
                }
                total += n;
            }
            return total == 0 ? -1 : total;   // the server answers 416 at or past the end: the client's EOF
        }
        catch (final IOException | RuntimeException ex)
        {
            throw GcsErrors.translate("read " + describe(id), ex, true);
        }
    }

    @Override
    public long size(final String key) throws IOException
    {
        final BlobId id = blobId(key);
        try
        {
            final Blob blob = storage.get(id, Storage.BlobGetOption.fields(BlobField.SIZE));
            return blob == null || blob.getSize() == null ? -1 : blob.getSize();
        }
        catch (final RuntimeException ex)
        {
            throw GcsErrors.translate("get " + describe(id), ex, false);
        }
    }

    @Override
    public WalFileSystem.Page list(final String prefix, final String pageToken) throws IOException
    {
        final String root = location.prefix();
        final List<BlobListOption> options = new ArrayList<>(4);
        options.add(BlobListOption.prefix(root + prefix));
        options.add(BlobListOption.pageSize(settings.listPageSize()));
        options.add(BlobListOption.fields(BlobField.NAME));
        if (pageToken != null)
        {
            options.add(BlobListOption.pageToken(pageToken));
        }
        // the client's Page, not WalFileSystem.Page (which the simple name means in here)
        final com.google.api.gax.paging.Page<Blob> page;
        try
        {
            page = storage.list(location.bucket(), options.toArray(new BlobListOption[0]));
        }
        catch (final RuntimeException ex)
        {
            throw GcsErrors.translate("list gs://" + location.bucket() + "/" + root + prefix, ex, false);
        }
        final List<String> keys = new ArrayList<>();
        int skipped = 0;
        String example = null;
        for (final Blob blob : page.getValues())
        {
            final String key = blob.getName().startsWith(root) ? blob.getName().substring(root.length()) : null;
            if (key != null && isKey(key))
            {
                keys.add(key);
            }
            else if (skipped++ == 0)
            {
                example = blob.getName();
            }
        }
        if (skipped > 0)
        {
            LOG.warn("skipped {} object(s) under {} whose names are not Spindle keys (empty, '.' or '..' parts), " +
                "e.g. \"{}\"; they are not WAL segments and were not written by Spindle", skipped, location, example);
        }
        final String next = page.getNextPageToken();
        return new WalFileSystem.Page(keys, next == null || next.isEmpty() ? null : next);
    }

    @Override
    public void delete(final String key) throws IOException
    {
        final BlobId id = blobId(key);
        try
        {
            storage.delete(id);   // false when missing: fine
        }
        catch (final RuntimeException ex)
        {
            throw GcsErrors.translate("delete " + describe(id), ex, false);
        }
    }

    @Override
    public void close() throws IOException
    {
        try
        {
            storage.close();
        }
        catch (final Exception ex)
        {
            throw new IOException("closing the GCS client of " + location, ex);
        }
    }

    @Override
    public String toString()
    {
        return location.toString();
    }

    /** One upload attempt: a multipart request or a resumable session. */
    @FunctionalInterface
    private interface Upload
    {
        void run() throws IOException;
    }

    /** Carries a failure to read the local source past the handling of the store's failures. */
    private static final class SourceReadFailure extends IOException
    {
        private static final long serialVersionUID = 1L;

        SourceReadFailure(final IOException cause)
        {
            super(cause);
        }

        @Override
        public synchronized IOException getCause()
        {
            return (IOException)super.getCause();
        }
    }

    private BlobId blobId(final String key)
    {
        return BlobId.of(location.bucket(), location.objectName(key));
    }

    private static String describe(final BlobId id)
    {
        return "gs://" + id.getBucket() + "/" + id.getName();
    }

    private static boolean isKey(final String key)
    {
        try
        {
            WalFileSystem.checkKey(key);
            return true;
        }
        catch (final IllegalArgumentException ex)
        {
            return false;
        }
    }
}
