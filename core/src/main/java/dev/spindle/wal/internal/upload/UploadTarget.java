package dev.spindle.wal.internal.upload;

import dev.spindle.wal.internal.segment.SealedSegment;

/**
 * One collection of one remote lane, as its uploads see it. The lane implements it; upload threads call it
 * to ask whether a segment is still wanted and to report what reached object storage, and never touch the
 * lane's own state. Every method is safe from any thread.
 */
public interface UploadTarget
{
    /** @return the collection's name (the first part of its object keys). */
    String collectionName();

    /** @return whether {@code segment} is still one of the collection's sealed segments (not checkpointed). */
    boolean holds(SealedSegment segment);

    /** {@code segment} is in object storage. */
    void recordUploaded(SealedSegment segment);

    /** {@code segment} is no longer in object storage (deleted after a checkpoint). */
    void forgetUploaded(SealedSegment segment);

    /** Uploads moved on: advance the remote-durable watermark and complete what waited for it. */
    void remoteAdvanced();
}
