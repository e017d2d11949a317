package dev.spindle.wal.internal.lane;

/**
 * The watermarks of a collection a caller can wait for: each is the highest sequence with it and every
 * earlier entry acknowledged, on stable storage, or in final (object) storage.
 */
public enum Watermark
{
    ACKNOWLEDGED
    {
        @Override
        long of(final CollectionState collection)
        {
            return collection.acknowledgedSequence();
        }
    },
    DURABLE
    {
        @Override
        long of(final CollectionState collection)
        {
            return collection.durableSequence();
        }
    },
    REMOTE_DURABLE
    {
        @Override
        long of(final CollectionState collection)
        {
            return collection.remoteDurableSequence();
        }
    };

    abstract long of(CollectionState collection);
}
