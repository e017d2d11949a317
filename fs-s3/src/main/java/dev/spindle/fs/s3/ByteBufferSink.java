package dev.spindle.fs.s3;

import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.async.SdkPublisher;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * Streams the body of a ranged GET straight into the caller's buffer (heap or direct), without an
 * intermediate byte array, and completes with the number of bytes written.
 *
 * <p>It writes into a duplicate of the destination, so the caller's position and limit are only touched by
 * the caller, after the call completed. If the SDK retries, {@link #prepare()} starts over at the beginning of
 * the destination.
 */
final class ByteBufferSink implements AsyncResponseTransformer<GetObjectResponse, Integer>
{
    private final ByteBuffer destination;
    private final String where;
    private final boolean ranged;
    private volatile CompletableFuture<Integer> result;

    /**
     * @param ranged whether the request asked for a range that does not start at 0: an answer without a
     *               Content-Range then means the server ignored the range, and its bytes would be misplaced.
     */
    ByteBufferSink(final ByteBuffer destination, final String where, final boolean ranged)
    {
        this.destination = destination;
        this.where = where;
        this.ranged = ranged;
    }

    @Override
    public CompletableFuture<Integer> prepare()
    {
        result = new CompletableFuture<>();
        return result;
    }

    @Override
    public void onResponse(final GetObjectResponse response)
    {
        if (ranged && response.contentRange() == null)
        {
            result.completeExceptionally(new IOException("GET " + where + ": the server ignored the Range header"));
        }
    }

    @Override
    public void onStream(final SdkPublisher<ByteBuffer> publisher)
    {
        publisher.subscribe(new Copier(destination.duplicate(), result));
    }

    @Override
    public void exceptionOccurred(final Throwable error)
    {
        result.completeExceptionally(error);
    }

    private final class Copier implements Subscriber<ByteBuffer>
    {
        private final ByteBuffer target;
        private final CompletableFuture<Integer> done;
        private Subscription subscription;
        private int written;

        Copier(final ByteBuffer target, final CompletableFuture<Integer> done)
        {
            this.target = target;
            this.done = done;
        }

        @Override
        public void onSubscribe(final Subscription subscription)
        {
            this.subscription = subscription;
            if (done.isDone())
            {
                subscription.cancel();
                return;
            }
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(final ByteBuffer chunk)
        {
            if (chunk.remaining() > target.remaining())
            {
                subscription.cancel();
                done.completeExceptionally(new IOException("GET " + where + ": the server sent more than the " +
                    (written + target.remaining()) + " bytes asked for"));
                return;
            }
            written += chunk.remaining();
            target.put(chunk);
        }

        @Override
        public void onError(final Throwable error)
        {
            done.completeExceptionally(error);
        }

        @Override
        public void onComplete()
        {
            done.complete(written);
        }
    }
}
