/**
 * Segment files: the on-disk format ({@code SegmentFormat}, {@code SegmentNames}, {@code CheckpointFile}), the
 * entry codec ({@code StagedEntry}, {@code EntryEncoder}, {@code EntryDecoder}), active segments in both io
 * modes ({@code PwriteSegment}, {@code MappedSegment}, or {@code MemoryStore} for MemoryOnly), the one
 * {@code Sealer}, {@code SegmentReader}, and {@code SegmentPool}, the freed files a lane overwrites as new
 * segments. Knows no lane, upload or engine.
 *
 * <p>An active segment belongs to its lane's thread (and the closing thread after the lane stopped); readers
 * see only what it publishes ({@code readableLimit}). Sealed files are never written while sealed: any thread may
 * read them; once a checkpoint frees one, any thread may move it into the pool, and only the lane thread takes it
 * out to write it again.
 */
package dev.spindle.wal.internal.segment;
