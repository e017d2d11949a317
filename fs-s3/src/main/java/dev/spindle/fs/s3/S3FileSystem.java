package dev.spindle.fs.s3;

import dev.spindle.fs.RemoteStorageException;
import dev.spindle.fs.WalFileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link WalFileSystem} over one S3 bucket and key prefix, through the AWS CRT client (which splits big
 * uploads into parallel parts by itself).
 *
 * <p>A put never overwrites: it carries {@code If-None-Match: *}, which S3 checks atomically, on the single
 * PUT and, for a big file, on the CompleteMultipartUpload (the CRT client copies the header there, and aborts
 * the upload when it is refused). When the key exists the answer is 412 (or 409 when another upload of the key
 * is completing at the same moment); a HEAD then tells a retry of the same segment (same length: success,
 * nothing changed) from a different object (an error, never a silent overwrite).
 *
 * <p>A file big enough for a multipart upload is looked up with a HEAD first. A retry of a segment that is
 * already there then costs one request instead of sending every part again; and S3Mock (4.11), which deletes the
 * existing object when the CRT aborts a refused upload of the same key, keeps it. The conditional completion
 * still guards the race of two uploads of one key that both pass the HEAD: on S3 one wins and the other is
 * refused; on S3Mock the refused one's abort deletes the winner's object, and the next retry uploads again.
 *
 * <p>Thread safe: the client is, and the file system holds no other state.
 */
public final class S3FileSystem implements WalFileSystem
{
    private static final Logger LOG = LoggerFactory.getLogger(S3FileSystem.class);

    private final S3AsyncClient client;
    private final S3Location location;
    private final int listPageSize;
    private final long multipartThreshold;

    S3FileSystem(final S3AsyncClient client, final S3Location location, final int listPageSize,
        final long multipartThreshold)
    {
        this.client = client;
        this.location = location;
        this.listPageSize = listPageSize;
        this.multipartThreshold = multipartThreshold;
    }

    @Override
    public boolean putIfAbsent(final String key, final Path source) throws IOException
    {
        final String objectKey = location.objectKey(WalFileSystem.checkKey(key));
        final String where = location.describe(objectKey);
        final long length = Files.size(source);
        if (length >= multipartThreshold)
        {
            final long existing = size(key);
            if (existing >= 0)
            {
                return alreadyThere(where, existing, length);
            }
        }
        final PutObjectRequest request = PutObjectRequest.builder()
            .bucket(location.bucket)
            .key(objectKey)
            .contentLength(length)
            .ifNoneMatch("*")
            .build();
        try
        {
            S3Failures.await(client.putObject(request, AsyncRequestBody.fromFile(source)));
            return true;
        }
        catch (final SdkException ex)
        {
            final int status = S3Failures.status(ex);
            if (!isRefusedAsExisting(status))
            {
                throw S3Failures.failure("PUT", where, ex);
            }
            final long existing = size(key);
            if (existing < 0)
            {
                // a 409 (the other upload has not produced its object yet), or S3Mock's abort deleting it
                throw new RemoteStorageException("S3 PUT " + where + " was refused with status " + status +
                    " because the key exists, but a HEAD finds no object; retryable", status, true, ex);
            }
            return alreadyThere(where, existing, length);
        }
    }

    /**
     * @return false when the object there has the upload's length (a retry of the same segment).
     * @throws FileAlreadyExistsException when it has another length: a different object, never overwritten.
     */
    private static boolean alreadyThere(final String where, final long existing, final long length)
        throws FileAlreadyExistsException
    {
        if (existing == length)
        {
            return false;
        }
        throw new FileAlreadyExistsException(where, null, "exists with " + existing + " bytes, the upload has " +
            length);
    }

    /**
     * S3 refuses a conditional put of an existing key with 412, or 409 while another upload of the key is
     * completing. S3Mock 4.11 refuses the conditional completion of a multipart upload with 304: never a
     * success answer to a write, so it is read the same way (the HEAD that follows decides).
     */
    private static boolean isRefusedAsExisting(final int status)
    {
        return status == 412 || status == 409 || status == 304;
    }

    @Override
    public int read(final String key, final long offset, final ByteBuffer destination) throws IOException
    {
        final String objectKey = location.objectKey(WalFileSystem.checkKey(key));
        if (offset < 0)
        {
            throw new IllegalArgumentException("negative offset " + offset + " reading " + location.describe(objectKey));
        }
        if (!destination.hasRemaining())
        {
            final long size = size(key);
            if (size < 0)
            {
                throw new NoSuchFileException(location.describe(objectKey));
            }
            return offset >= size ? -1 : 0;
        }
        final long last = offset + destination.remaining() - 1;
        final GetObjectRequest request = GetObjectRequest.builder()
            .bucket(location.bucket)
            .key(objectKey)
            .range("bytes=" + offset + "-" + last)
            .build();
        final String where = location.describe(objectKey);
        try
        {
            final int n = S3Failures.await(client.getObject(request, new ByteBufferSink(destination, where, offset > 0)));
            destination.position(destination.position() + n);
            return n;
        }
        catch (final SdkException ex)
        {
            final int status = S3Failures.status(ex);
            if (status == 404)
            {
                final NoSuchFileException missing = new NoSuchFileException(where);
                missing.initCause(ex);
                throw missing;
            }
            if (status == 416)
            {
                return -1;   // the range starts at or past the end
            }
            throw S3Failures.failure("GET", where, ex);
        }
    }

    @Override
    public long size(final String key) throws IOException
    {
        final String objectKey = location.objectKey(WalFileSystem.checkKey(key));
        try
        {
            final HeadObjectResponse head = S3Failures.await(client.headObject(HeadObjectRequest.builder()
                .bucket(location.bucket)
                .key(objectKey)
                .build()));
            return head.contentLength();
        }
        catch (final SdkException ex)
        {
            if (S3Failures.status(ex) == 404)
            {
                return -1;
            }
            throw S3Failures.failure("HEAD", location.describe(objectKey), ex);
        }
    }

    /**
     * One ListObjectsV2 request. S3 lists in UTF-8 byte order, which is the lexicographic order of Spindle's
     * ASCII keys. An object whose key would not pass {@link WalFileSystem#checkKey} (written by something else)
     * is skipped with a warning: returning it would hand a caller a key it cannot use safely.
     */
    @Override
    public Page list(final String prefix, final String pageToken) throws IOException
    {
        final String objectPrefix = location.prefix + (prefix == null ? "" : prefix);
        final ListObjectsV2Request.Builder request = ListObjectsV2Request.builder()
            .bucket(location.bucket)
            .prefix(objectPrefix)
            .maxKeys(listPageSize);
        if (pageToken != null)
        {
            request.continuationToken(pageToken);
        }
        final ListObjectsV2Response response;
        try
        {
            response = S3Failures.await(client.listObjectsV2(request.build()));
        }
        catch (final SdkException ex)
        {
            throw S3Failures.failure("LIST", location.describe(objectPrefix), ex);
        }
        final List<String> keys = new ArrayList<>(response.contents().size());
        for (final S3Object object : response.contents())
        {
            final String key = object.key().substring(location.prefix.length());
            try
            {
                keys.add(WalFileSystem.checkKey(key));
            }
            catch (final IllegalArgumentException ex)
            {
                LOG.warn("skipping {}: not a valid Spindle key", location.describe(object.key()));
            }
        }
        final boolean more = Boolean.TRUE.equals(response.isTruncated()) && response.nextContinuationToken() != null;
        return new Page(keys, more ? response.nextContinuationToken() : null);
    }

    @Override
    public void delete(final String key) throws IOException
    {
        final String objectKey = location.objectKey(WalFileSystem.checkKey(key));
        try
        {
            S3Failures.await(client.deleteObject(DeleteObjectRequest.builder()
                .bucket(location.bucket)
                .key(objectKey)
                .build()));
        }
        catch (final SdkException ex)
        {
            if (S3Failures.status(ex) != 404)
            {
                throw S3Failures.failure("DELETE", location.describe(objectKey), ex);
            }
        }
    }

    @Override
    public void close()
    {
        client.close();
    }

    @Override
    public String toString()
    {
        return "S3FileSystem[" + location + "]";
    }
}
