package dev.spindle.wal;

/**
 * When an append is acknowledged and when its bytes are forced to the device.
 *
 * <table>
 *   <caption>What each mode promises</caption>
 *   <tr><th>mode</th><th>acknowledged when</th><th>survives kill -9</th><th>survives power loss</th></tr>
 *   <tr><td>{@link #Always}</td><td>its own fsync returned</td><td>yes</td><td>yes</td></tr>
 *   <tr><td>{@link #PerBatch}</td><td>the fsync of its batch returned (group commit)</td><td>yes</td><td>yes</td></tr>
 *   <tr><td>{@link #Periodic}</td><td>written to the file</td><td>yes</td><td>up to the last periodic fsync</td></tr>
 *   <tr><td>{@link #Never}</td><td>written to the file</td><td>yes</td><td>up to the last seal or close</td></tr>
 *   <tr><td>{@link #MemoryOnly}</td><td>copied into memory</td><td>no</td><td>no</td></tr>
 * </table>
 */
public enum SyncMode
{
    /** One fsync per entry. */
    Always,
    /** Group commit: one fsync per batch (and per {@code memory_flush_size_bytes} of one collection). */
    PerBatch,
    /** fsync every {@code flush_interval_ms}; acknowledge once written. */
    Periodic,
    /** fsync only when a segment is sealed and on close; acknowledge once written. */
    Never,
    /** No files: entries live in memory until checkpointed. */
    MemoryOnly;

    /**
     * @return true when an acknowledgement means the entry is on stable storage.
     */
    public boolean acknowledgesDurable()
    {
        return this == Always || this == PerBatch;
    }

    /**
     * @return true when this mode writes segment files.
     */
    public boolean writesFiles()
    {
        return this != MemoryOnly;
    }
}
