/**
 * The object store as Spindle sees it through the SPI: what a {@code wal_urls} entry names ({@code LaneUrls}),
 * opening its backend ({@code RemoteStore}), listing what it holds ({@code RemoteListing}) and reading a
 * segment object as a channel ({@code RemoteChannel}). Stateless or owned by the caller; used by upload,
 * recovery, replay and the engine alike.
 */
package dev.spindle.wal.internal.remote;
