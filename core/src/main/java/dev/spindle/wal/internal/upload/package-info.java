/**
 * Uploads of sealed segments of remote lanes. The lane thread hands a segment to its {@code RemoteLane}
 * (never waiting); {@code Uploader} threads put it, verify it, and report back through {@code UploadTarget}.
 * Upload threads never touch a lane's state: a conflict that must fail the lane is handed over as a request.
 */
package dev.spindle.wal.internal.upload;
