/**
 * The {@code adls://} / {@code abfs[s]://} backend of the filesystem SPI, on the Blob API of the Azure Storage SDK
 * (which ADLS Gen2 accounts and Azurite both serve). {@link dev.spindle.fs.adls.AdlsFileSystemProvider} declares the
 * {@code [storage.wal_config.adls]} keys ({@code AdlsSettings.DECLARED}, the one list of them, with the three
 * secrets) and opens an {@code AdlsFileSystem}, whose puts are conditional creates.
 *
 * <p>Threads: the uploader's threads call one {@code AdlsFileSystem} at once; it holds only the thread-safe
 * container client and the parsed location and settings. Secret values appear in no message, log or
 * {@code toString()}.
 */
package dev.spindle.fs.adls;
