/**
 * The object store as Spindle sees it through the SPI: what a {@code wal_urls} entry names ({@code LaneUrls}),
 * opening its backend ({@code RemoteStore}), listing what it holds ({@code RemoteListing}) and reading a
 * segment object as a channel ({@code RemoteChannel}), and the writer epochs that fence a second writer on one
 * prefix ({@code Fence}: claimed on the opening thread, immutable after, checked by upload threads). Stateless or
 * owned by the caller; used by upload, recovery, replay and the engine alike.
 */
package dev.spindle.wal.internal.remote;
