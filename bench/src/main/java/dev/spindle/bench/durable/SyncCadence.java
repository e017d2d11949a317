package dev.spindle.bench.durable;

/**
 * When a writer that syncs by hand is due to sync: once {@link DurableWriter#SYNC_BYTES} have been appended since
 * its last sync. Counts the syncs, for the writers' tests.
 */
final class SyncCadence
{
    private long unsynced;
    private long syncs;

    /**
     * @return true when the bytes appended since the last sync, these included, reach a MiB.
     */
    boolean appended(final long bytes)
    {
        unsynced += bytes;
        return unsynced >= DurableWriter.SYNC_BYTES;
    }

    /**
     * @return true when something was appended since the last sync.
     */
    boolean dirty()
    {
        return unsynced > 0;
    }

    void synced()
    {
        syncs++;
        unsynced = 0;
    }

    long syncs()
    {
        return syncs;
    }
}
