package dev.spindle.wal;

/**
 * When an acknowledgement completes for an entry of a remote ({@code s3://}, {@code adls://}, {@code gcs://})
 * lane. Entries of local lanes are acknowledged per {@link SyncMode} either way.
 */
public enum AckMode
{
    /** When the entry is durable in the lane's local staging directory (per {@code sync_mode}). */
    local,
    /**
     * When the sealed segment holding the entry is in object storage (for serverless use, where the local disk
     * is ephemeral). {@code segment_max_age_ms} bounds how long that takes; it defaults to 1 s in this mode.
     */
    remote
}
