/**
 * Segment files: the on-disk format ({@code SegmentFormat}, {@code SegmentNames}, {@code CheckpointFile},
 * {@code MoveRecord} and the void rule of move records, {@code MoveRules}: stateless, or owned by the one thread
 * that builds it), the
 * entry codec ({@code StagedEntry}, {@code EntryEncoder}, {@code EntryDecoder}), active segments in both io
 * modes ({@code PwriteSegment}, {@code MappedSegment}, or {@code MemoryStore} for MemoryOnly), the one
 * {@code Sealer}, {@code SegmentReader}, {@code SegmentPool}, the freed files a lane overwrites as new
 * segments, {@code StagingPool}, the off-heap buffers a lane's pwrite segments borrow while a block is open, and
 * {@code BlockCodec} ({@code ZstandardBlocks}, {@code SnappyBlocks}, {@code DeflateBlocks}), the Avro block codec
 * that compresses each block as it closes and decompresses it, bounded, for readers; {@code SegmentSearch} finds
 * entries and blocks in damaged files. Knows no lane, upload or engine.
 *
 * <p>An active segment belongs to its lane's thread (and the closing thread after the lane stopped); readers
 * see only what it publishes ({@code readableLimit}), and read the file, never a staging buffer. A
 * {@code StagingPool} belongs to its lane's thread too: a segment holds one of its buffers only from the opening
 * of a block to the block's write, and nothing else touches a buffer the pool holds, which is what lets the pool
 * free one at once. Sealed files are never written while sealed: any thread may
 * read them; once a checkpoint frees one, any thread may move it into the pool, and only the lane thread takes it
 * out to write it again. A lane's {@code BlockCodec} belongs to its thread like its segments (its output buffer and
 * native state are the lane's); each {@code SegmentReader} has its own, for the thread that reads.
 */
package dev.spindle.wal.internal.segment;
