/**
 * Tails: a collection followed like {@code tail -f}. A {@code Follower} merges one {@code LaneCursor} per lane by
 * sequence and hands each entry to the handler without a gap; a cursor keeps its segment file open and its place
 * in it, so each look reads only the blocks written since the last. Where the segments come from, how far the
 * follower may go and how it waits is its {@code TailSource}: {@code LiveSource}, the open WAL of this process
 * (the lanes' own account of their segments, up to the acknowledged watermark, woken by the thread that moves
 * it), or {@code FileSource}, the files and objects as another process or machine sees them (directory listings
 * and file events, bucket listings), which never takes a lock and never changes anything.
 *
 * <p>Threads: each follower has its own ({@code spindle-tail-<collection>}), which owns its cursors and source
 * and runs the handler. Other threads only close it ({@code wake}) and read its progress (volatile fields).
 */
package dev.spindle.wal.internal.tail;
