package dev.spindle.wal;

import java.util.Iterator;

/**
 * The entries of one collection in sequence order, merged across lanes. Reads segments lazily, a
 * block at a time; close it to release the files. A corrupt segment surfaces as a
 * {@link CorruptSegmentException} from {@link #next()} or {@link #hasNext()}.
 */
public interface WalReplay extends Iterator<WalRecord>, AutoCloseable
{
    @Override
    void close();
}
