package dev.spindle.fs.s3;

import dev.spindle.fs.RemoteStorageException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Waits for the asynchronous client and turns what went wrong into what the uploader needs: a
 * {@link RemoteStorageException} that names the object and the HTTP status, and says whether trying again can
 * help.
 *
 * <p>The CRT client does not always raise the modelled exception ({@code NoSuchKeyException}, ...): a missing
 * key may come back as a plain {@code S3Exception} with status 404. Callers therefore decide on
 * {@link #status(SdkException)}, never on the exception's type. And when an error answer has no body (a load
 * balancer's bare 503, say) the SDK reports a client error that keeps only the CRT's description of the status;
 * {@link #CRT_STATUS} maps those descriptions back, so that throttling is still seen as a 503.
 */
final class S3Failures
{
    /**
     * The descriptions aws-c-s3 gives the errors it derives from a bare status (AWS_ERROR_S3_SLOW_DOWN for 503,
     * AWS_ERROR_S3_INTERNAL_ERROR for 500), found in the message of the SDK's client exception.
     */
    private static final Map<String, Integer> CRT_STATUS = Map.of(
        "Response code indicates throttling", 503,
        "Response code indicates internal server error", 500);

    /** S3 error codes worth retrying whatever their status (RequestTimeout comes as a 400). */
    private static final Set<String> RETRYABLE_CODES = Set.of("RequestTimeout", "SlowDown", "InternalError",
        "ServiceUnavailable", "OperationAborted");

    private S3Failures()
    {
    }

    /**
     * Wait for {@code future}, interruptibly.
     *
     * @throws SdkException the unwrapped failure of the call, for the caller to inspect.
     * @throws IOException  when the call failed with one, or the wait was interrupted (the call is cancelled).
     */
    static <T> T await(final CompletableFuture<T> future) throws IOException
    {
        try
        {
            return future.get();
        }
        catch (final InterruptedException ex)
        {
            future.cancel(true);
            Thread.currentThread().interrupt();
            final InterruptedIOException interrupted = new InterruptedIOException("interrupted waiting for S3");
            interrupted.initCause(ex);
            throw interrupted;
        }
        catch (final ExecutionException ex)
        {
            final Throwable cause = unwrap(ex);
            if (cause instanceof SdkException)
            {
                throw (SdkException)cause;
            }
            if (cause instanceof IOException)
            {
                throw (IOException)cause;
            }
            if (cause instanceof Error)
            {
                throw (Error)cause;
            }
            throw SdkClientException.create(String.valueOf(cause.getMessage()), cause);
        }
    }

    private static Throwable unwrap(final Throwable failure)
    {
        Throwable cause = failure;
        while ((cause instanceof ExecutionException || cause instanceof CompletionException) && cause.getCause() != null)
        {
            cause = cause.getCause();
        }
        return cause;
    }

    /** @return the HTTP status of a failed call, or {@link RemoteStorageException#NO_STATUS} when none came back. */
    static int status(final SdkException failure)
    {
        if (failure instanceof SdkServiceException)
        {
            final int status = ((SdkServiceException)failure).statusCode();
            return status > 0 ? status : RemoteStorageException.NO_STATUS;
        }
        final String message = String.valueOf(failure.getMessage());
        for (final Map.Entry<String, Integer> crt : CRT_STATUS.entrySet())
        {
            if (message.contains(crt.getKey()))
            {
                return crt.getValue();
            }
        }
        return RemoteStorageException.NO_STATUS;
    }

    /**
     * @param operation e.g. {@code PUT}
     * @param where     {@code s3://bucket/key}, or the listed prefix
     */
    static RemoteStorageException failure(final String operation, final String where, final SdkException failure)
    {
        final int status = status(failure);
        final String code = errorCode(failure);
        final boolean retryable = status == RemoteStorageException.NO_STATUS ?
            isRetryableWithoutAnswer(failure) :
            RemoteStorageException.isRetryableStatus(status) || (code != null && RETRYABLE_CODES.contains(code)) ||
                (failure instanceof SdkServiceException && ((SdkServiceException)failure).isThrottlingException());
        final StringBuilder message = new StringBuilder("S3 ").append(operation).append(' ').append(where);
        if (status == RemoteStorageException.NO_STATUS)
        {
            message.append(" failed without an answer");
        }
        else
        {
            message.append(" failed with status ").append(status);
            if (code != null)
            {
                message.append(" (").append(code).append(')');
            }
        }
        message.append(retryable ? ", retryable: " : ", not retryable: ").append(failure.getMessage());
        return new RemoteStorageException(message.toString(), status, retryable, failure);
    }

    private static String errorCode(final SdkException failure)
    {
        if (failure instanceof AwsServiceException && ((AwsServiceException)failure).awsErrorDetails() != null)
        {
            return ((AwsServiceException)failure).awsErrorDetails().errorCode();
        }
        return null;
    }

    /**
     * No HTTP answer: a refused, reset or timed-out connection is worth retrying; a client that cannot even
     * sign the request (no credentials found) is not: the uploader still retries, slowly, so an operator can
     * fix it without losing data.
     */
    private static boolean isRetryableWithoutAnswer(final SdkException failure)
    {
        final String text = String.valueOf(failure.getMessage());
        return !text.contains("Unable to load credentials") && !text.contains("Unable to load region");
    }
}
