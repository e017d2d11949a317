/**
 * The {@code s3://bucket/prefix} backend of the filesystem SPI, on the AWS SDK v2 {@code S3AsyncClient} over the
 * CRT. {@link dev.spindle.fs.s3.S3FileSystemProvider} declares the {@code [storage.wal_config.s3]} keys
 * ({@code S3Settings.DECLARED}, the one list of them) and opens an {@code S3FileSystem}, whose puts are conditional
 * ({@code If-None-Match: *}) so a retried upload never overwrites a different object.
 *
 * <p>Threads: the uploader's threads call one {@code S3FileSystem} at once; it holds only the thread-safe client,
 * the bucket and the prefix. Credentials never pass through here: the SDK's default chain finds them.
 */
package dev.spindle.fs.s3;
