package dev.spindle.fs.adls;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.exception.HttpResponseException;
import com.azure.storage.blob.models.BlobStorageException;
import dev.spindle.fs.RemoteStorageException;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * Turns what the Azure SDK throws into {@link RemoteStorageException}, the one failure type Spindle's uploader
 * understands. The SDK reports an answer as {@link HttpResponseException} (status and, for storage, an error
 * code), but a broken connection or a timeout as whatever Reactor wrapped it in: so the cause chain is searched
 * for an {@link IOException} or {@link TimeoutException}, both worth retrying.
 */
final class AdlsErrors
{
    private AdlsErrors()
    {
    }

    /** @return the HTTP status of an SDK failure, or {@link RemoteStorageException#NO_STATUS}. */
    static int status(final Throwable error)
    {
        for (Throwable t = error; t != null; t = t.getCause())
        {
            if (t instanceof HttpResponseException http && http.getResponse() != null)
            {
                return http.getResponse().getStatusCode();
            }
        }
        return RemoteStorageException.NO_STATUS;
    }

    /** @return the storage error code (e.g. {@code BlobAlreadyExists}), or null. */
    static String errorCode(final Throwable error)
    {
        for (Throwable t = error; t != null; t = t.getCause())
        {
            if (t instanceof BlobStorageException storage && storage.getErrorCode() != null)
            {
                return storage.getErrorCode().toString();
            }
        }
        return null;
    }

    /**
     * @param operation what was attempted, e.g. {@code "put"}.
     * @param target    {@code account/container/blob} it was attempted on.
     */
    static RemoteStorageException failure(final String operation, final String target, final RuntimeException error)
    {
        final int status = status(error);
        final boolean retryable;
        final String why;
        if (status != RemoteStorageException.NO_STATUS)
        {
            retryable = RemoteStorageException.isRetryableStatus(status);
            final String code = errorCode(error);
            why = "HTTP " + status + (code == null ? "" : " " + code);
        }
        else if (isAuthentication(error))
        {
            retryable = false;
            why = "no credential: " + error.getMessage();
        }
        else if (isConnectionOrTimeout(error))
        {
            retryable = true;
            why = "connection failed or timed out (" + rootCause(error) + ")";
        }
        else
        {
            retryable = false;
            why = rootCause(error);
        }
        return new RemoteStorageException("adls " + operation + " " + target + " failed: " + why, status, retryable, error);
    }

    private static boolean isAuthentication(final Throwable error)
    {
        for (Throwable t = error; t != null; t = t.getCause())
        {
            if (t instanceof ClientAuthenticationException)
            {
                return true;
            }
        }
        return false;
    }

    private static boolean isConnectionOrTimeout(final Throwable error)
    {
        for (Throwable t = error; t != null; t = t.getCause())
        {
            if (t instanceof IOException || t instanceof TimeoutException)
            {
                return true;
            }
        }
        return false;
    }

    private static String rootCause(final Throwable error)
    {
        Throwable t = error;
        while (t.getCause() != null && t.getCause() != t)
        {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
