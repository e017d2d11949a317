/**
 * The engine: opens a WAL ({@code LaneSet} locks each lane and lists remote stores; then recovery runs,
 * {@code Adoption} takes over what it found, the lane threads and the {@code LaneTimer} start) and closes it.
 * The opening and closing thread owns everything here; between the two, calls pass straight through to the
 * rooms below.
 *
 * <p>The data path, top to bottom: {@code lane} (routing, the append door, the ring, the batch writer, sealing,
 * retention), {@code upload} (sealed segments to object storage), {@code recovery} and {@code replay} (reading
 * back), {@code remote} (the object store as the SPI shows it), {@code segment} (the file format and the files).
 * Arrows point down only; {@code offline} reads a closed WAL with the same rooms.
 */
package dev.spindle.wal.internal;
