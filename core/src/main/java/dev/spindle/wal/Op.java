package dev.spindle.wal;

/**
 * The operation an entry records. The order is the Avro enum {@code WalOp}'s symbol order and must
 * never change: the ordinal is what is written to disk.
 */
public enum Op
{
    INSERT,
    UPDATE,
    DELETE,
    CREATE_COLLECTION,
    DROP_COLLECTION,
    CHECKPOINT;

    private static final Op[] VALUES = values();

    /**
     * @param ordinal as read from a segment.
     * @return the operation, or {@code null} when the ordinal is out of range.
     */
    public static Op fromOrdinal(final int ordinal)
    {
        return ordinal >= 0 && ordinal < VALUES.length ? VALUES[ordinal] : null;
    }
}
