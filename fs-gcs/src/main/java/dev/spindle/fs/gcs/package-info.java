/**
 * The {@code gcs://} / {@code gs://} backend of the filesystem SPI, on the {@code google-cloud-storage} JSON API
 * client. {@link dev.spindle.fs.gcs.GcsFileSystemProvider} declares the {@code [storage.wal_config.gcs]} keys
 * ({@code GcsSettings.DECLARED}, the one list of them) and opens a {@code GcsFileSystem}, whose puts carry
 * {@code ifGenerationMatch=0} so a retried upload never overwrites a different object.
 *
 * <p>Threads: the uploader's threads call one {@code GcsFileSystem} at once; it holds only the thread-safe
 * {@code Storage} client and the parsed location and settings; a resumable upload's channel belongs to the one
 * call that opened it.
 */
package dev.spindle.fs.gcs;
