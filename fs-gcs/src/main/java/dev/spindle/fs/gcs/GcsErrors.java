package dev.spindle.fs.gcs;

import com.google.cloud.BaseServiceException;
import dev.spindle.fs.RemoteStorageException;

import java.io.IOException;
import java.nio.file.NoSuchFileException;

/**
 * Turns what the Google client throws into what Spindle's uploader understands. The client reports an HTTP
 * answer as a {@link BaseServiceException} with its status, and a broken connection, a timeout or a resumable
 * session that lost track of its offset as one with code 0, sometimes wrapped in an {@link IOException} (by its
 * channels) or the other way round; so the cause chain is searched rather than the top exception trusted.
 */
final class GcsErrors
{
    static final int NOT_FOUND = 404;
    static final int PRECONDITION_FAILED = 412;

    private GcsErrors()
    {
    }

    /** @return the first client exception in {@code failure}'s cause chain, or null. */
    static BaseServiceException serviceException(final Throwable failure)
    {
        for (Throwable t = failure; t != null; t = t.getCause())
        {
            if (t instanceof BaseServiceException)
            {
                return (BaseServiceException)t;
            }
        }
        return null;
    }

    /** @return the HTTP status in {@code failure}, or {@link RemoteStorageException#NO_STATUS}. */
    static int status(final Throwable failure)
    {
        final BaseServiceException service = serviceException(failure);
        return service == null || service.getCode() <= 0 ? RemoteStorageException.NO_STATUS : service.getCode();
    }

    /**
     * @param what the operation and object, e.g. {@code "put gs://bucket/wal/c/1.avro"}.
     * @return a {@link NoSuchFileException} for a 404 when {@code missingIsError}, else a
     * {@link RemoteStorageException}: retryable for 408, 429, 5xx, and for failures without a status (the
     * connection broke or the upload session lost its place; a fresh attempt starts over).
     */
    static IOException translate(final String what, final Throwable failure, final boolean missingIsError)
    {
        final int status = status(failure);
        if (status == NOT_FOUND && missingIsError)
        {
            final NoSuchFileException missing = new NoSuchFileException(what.substring(what.indexOf(' ') + 1));
            missing.initCause(failure);
            return missing;
        }
        final boolean connection = status == RemoteStorageException.NO_STATUS &&
            (serviceException(failure) != null || hasIoCause(failure));
        final boolean retryable = connection || status != RemoteStorageException.NO_STATUS &&
            RemoteStorageException.isRetryableStatus(status);
        final String answer = status == RemoteStorageException.NO_STATUS ? "no HTTP answer" : "HTTP " + status;
        return new RemoteStorageException("GCS " + what + " failed (" + answer + "): " + message(failure), status,
            retryable, failure);
    }

    private static boolean hasIoCause(final Throwable failure)
    {
        for (Throwable t = failure; t != null; t = t.getCause())
        {
            if (t instanceof IOException)
            {
                return true;
            }
        }
        return false;
    }

    private static String message(final Throwable failure)
    {
        final BaseServiceException service = serviceException(failure);
        final Throwable source = service != null ? service : failure;
        final String message = source.getMessage();
        return message == null ? source.getClass().getName() : message.lines().findFirst().orElse(message);
    }
}
