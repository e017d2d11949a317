package dev.spindle.fs.adls;

import com.azure.core.http.rest.PagedResponse;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobRange;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.models.ParallelTransferOptions;
import com.azure.storage.blob.options.BlobUploadFromFileOptions;
import dev.spindle.fs.RemoteStorageException;
import dev.spindle.fs.WalFileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@link WalFileSystem} over an Azure storage container (ADLS Gen2 or plain Blob storage), through the Blob API.
 * A key maps to the blob {@code prefix/key}.
 *
 * <p>A put is one conditional create ({@code If-None-Match: *}): a single Put Blob up to
 * {@code single_upload_max_bytes}, else staged blocks committed by one Put Block List, so a reader never sees a
 * partial object and two uploaders of one key cannot both win. When the key exists already the lengths are
 * compared: an upload retried after a lost answer finds its own object and succeeds; a different object is an
 * error and is never overwritten.
 *
 * <p>On a hierarchical-namespace account the Blob API also lists directories, as empty blobs with the metadata
 * {@code hdi_isfolder=true}; they are not keys and are skipped. Thread-safe: the SDK client is.
 */
public final class AdlsFileSystem implements WalFileSystem
{
    private static final Logger LOG = LoggerFactory.getLogger(AdlsFileSystem.class);
    private static final String FOLDER_MARKER = "hdi_isfolder";

    private final AdlsLocation location;
    private final AdlsSettings settings;
    private final BlobContainerClient container;
    private final String blobPrefix;

    AdlsFileSystem(final AdlsLocation location, final AdlsSettings settings, final BlobContainerClient container)
    {
        this.location = location;
        this.settings = settings;
        this.container = container;
        this.blobPrefix = location.blobPrefix();
    }

    /** Create the container if it is missing ({@code create_container = true}). */
    void createContainerIfMissing() throws RemoteStorageException
    {
        try
        {
            if (container.createIfNotExistsWithResponse(null, null, Context.NONE).getValue())
            {
                LOG.info("created container {}/{}", location.account(), location.container());
            }
        }
        catch (final RuntimeException ex)
        {
            throw AdlsErrors.failure("create container", location.account() + "/" + location.container(), ex);
        }
    }

    @Override
    public boolean putIfAbsent(final String key, final Path source) throws IOException
    {
        final BlobClient blob = blob(key);
        final long length = Files.size(source);
        final BlobUploadFromFileOptions options = new BlobUploadFromFileOptions(source.toString())
            .setParallelTransferOptions(new ParallelTransferOptions()
                .setBlockSizeLong(settings.blockSizeBytes())
                .setMaxConcurrency(settings.maxConcurrency())
                .setMaxSingleUploadSizeLong(settings.singleUploadMaxBytes()))
            .setRequestConditions(new BlobRequestConditions().setIfNoneMatch("*"));
        try
        {
            blob.uploadFromFileWithResponse(options, null, Context.NONE);
            return true;
        }
        catch (final RuntimeException ex)
        {
            final int status = AdlsErrors.status(ex);
            final boolean exists = status == 412 ||
                (status == 409 && BlobErrorCode.BLOB_ALREADY_EXISTS.toString().equals(AdlsErrors.errorCode(ex)));
            if (!exists)
            {
                throw AdlsErrors.failure("put", describe(key), ex);
            }
        }
        final long existing = size(key);
        if (existing == length)
        {
            return false;
        }
        if (existing < 0)
        {
            throw new RemoteStorageException("adls put " + describe(key) + " was refused because the blob exists, " +
                "but it is gone now (deleted concurrently?)", 409, true, null);
        }
        throw new FileAlreadyExistsException(describe(key), null,
            "exists with " + existing + " bytes, the upload has " + length + ": a different object, not overwritten");
    }

    @Override
    public int read(final String key, final long offset, final ByteBuffer destination) throws IOException
    {
        if (offset < 0)
        {
            throw new IllegalArgumentException("negative offset " + offset + " reading " + key);
        }
        final BlobClient blob = blob(key);
        final int wanted = destination.remaining();
        if (wanted == 0)
        {
            final long size = size(key);
            if (size < 0)
            {
                throw new NoSuchFileException(describe(key));
            }
            return offset >= size ? -1 : 0;
        }
        final int start = destination.position();
        try
        {
            blob.downloadStreamWithResponse(new BufferOutput(destination), new BlobRange(offset, (long)wanted),
                null, null, false, null, Context.NONE);
            final int read = destination.position() - start;
            return read == 0 ? -1 : read;   // Azure answers 416 past the end, Azurite an empty range
        }
        catch (final RuntimeException ex)
        {
            destination.position(start);
            final int status = AdlsErrors.status(ex);
            if (status == 416)
            {
                return -1;   // InvalidRange: the offset is at or past the end
            }
            if (status == 404 && !BlobErrorCode.CONTAINER_NOT_FOUND.toString().equals(AdlsErrors.errorCode(ex)))
            {
                throw new NoSuchFileException(describe(key));
            }
            throw AdlsErrors.failure("read", describe(key), ex);
        }
    }

    @Override
    public long size(final String key) throws IOException
    {
        final BlobClient blob = blob(key);
        try
        {
            final BlobProperties properties = blob.getPropertiesWithResponse(null, null, Context.NONE).getValue();
            return isFolder(properties.getMetadata()) ? -1 : properties.getBlobSize();
        }
        catch (final RuntimeException ex)
        {
            if (AdlsErrors.status(ex) == 404)
            {
                return -1;
            }
            throw AdlsErrors.failure("size", describe(key), ex);
        }
    }

    @Override
    public Page list(final String prefix, final String pageToken) throws IOException
    {
        final String wanted = prefix == null ? "" : prefix;
        final ListBlobsOptions options = new ListBlobsOptions()
            .setPrefix(blobPrefix + wanted)
            .setMaxResultsPerPage(settings.listPageSize())
            .setDetails(new BlobListDetails().setRetrieveMetadata(true));
        final PagedResponse<BlobItem> page;
        try
        {
            final Iterator<PagedResponse<BlobItem>> pages = container.listBlobs(options, null)
                .iterableByPage(pageToken, settings.listPageSize()).iterator();
            if (!pages.hasNext())
            {
                return new Page(List.of(), null);
            }
            page = pages.next();
        }
        catch (final RuntimeException ex)
        {
            throw AdlsErrors.failure("list", describe(wanted + "*"), ex);
        }
        final List<String> keys = new ArrayList<>(page.getValue().size());
        for (final BlobItem item : page.getValue())
        {
            final String name = item.getName();
            if (!name.startsWith(blobPrefix) || isFolder(item.getMetadata()))
            {
                continue;
            }
            final String key = name.substring(blobPrefix.length());
            try
            {
                keys.add(WalFileSystem.checkKey(key));
            }
            catch (final IllegalArgumentException ex)
            {
                LOG.warn("skipping blob {} in {}/{}: not a valid Spindle key", name, location.account(),
                    location.container());
            }
        }
        final String next = page.getContinuationToken();
        return new Page(keys, next == null || next.isEmpty() ? null : next);
    }

    @Override
    public void delete(final String key) throws IOException
    {
        final BlobClient blob = blob(key);
        try
        {
            blob.deleteIfExistsWithResponse(null, null, null, Context.NONE);
        }
        catch (final RuntimeException ex)
        {
            if (AdlsErrors.status(ex) != 404)
            {
                throw AdlsErrors.failure("delete", describe(key), ex);
            }
        }
    }

    @Override
    public void close()
    {
        // the SDK client holds pooled connections on shared event loops; nothing is ours to release
    }

    @Override
    public String toString()
    {
        return "AdlsFileSystem[" + location + ", " + settings + "]";
    }

    private BlobClient blob(final String key)
    {
        return container.getBlobClient(blobPrefix + WalFileSystem.checkKey(key));
    }

    private String describe(final String key)
    {
        return location.account() + "/" + location.container() + "/" + blobPrefix + key;
    }

    private static boolean isFolder(final Map<String, String> metadata)
    {
        return metadata != null && "true".equalsIgnoreCase(metadata.get(FOLDER_MARKER));
    }

    /** Lets the SDK write a ranged download straight into the caller's buffer, heap or direct. */
    private static final class BufferOutput extends OutputStream
    {
        private final ByteBuffer destination;

        BufferOutput(final ByteBuffer destination)
        {
            this.destination = destination;
        }

        @Override
        public void write(final int b) throws IOException
        {
            ensure(1);
            destination.put((byte)b);
        }

        @Override
        public void write(final byte[] bytes, final int offset, final int length) throws IOException
        {
            ensure(length);
            destination.put(bytes, offset, length);
        }

        private void ensure(final int length) throws IOException
        {
            if (length > destination.remaining())
            {
                throw new IOException("the service sent more bytes than the range asked for");
            }
        }
    }
}
