/**
 * Segment files: the on-disk format ({@code SegmentFormat}, {@code SegmentNames}, {@code CheckpointFile}), the
 * entry codec ({@code StagedEntry}, {@code EntryEncoder}, {@code EntryDecoder}), active segments in both io
 * modes ({@code PwriteSegment}, {@code MappedSegment}, or {@code MemoryStore} for MemoryOnly), the one
 * {@code Sealer}, and {@code SegmentReader}. Knows no lane, upload or engine.
 *
 * <p>An active segment belongs to its lane's thread (and the closing thread after the lane stopped); readers
 * see only what it publishes ({@code readableLimit}). Sealed files are immutable: any thread may read them.
 */
package dev.spindle.wal.internal.segment;
