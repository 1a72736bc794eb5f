/**
 * Cloud Storage's JSON API over the folder standing in for {@code gs://}, on the server's own port:
 * {@code /storage/v1/} (buckets, object metadata, list, delete, rewrite, copy, compose), {@code
 * /download/storage/v1/} and {@code alt=media} (with {@code Range}), {@code /upload/storage/v1/}
 * (media, multipart and resumable uploads) and {@code /batch/storage/v1} (multipart/mixed). So
 * Beam's {@code --gcsEndpoint} points {@code TextIO}, {@code FileIO} and {@code BigQueryIO}'s temp
 * files at the same folder the load and extract jobs read and write.
 *
 * <p>{@link ObjectNames} maps names to files (and refuses the ones a folder cannot hold), {@link
 * ObjectStore} keeps the objects, {@link StorageApi} answers HTTP, {@link ResumableUploads} keeps
 * upload sessions, {@link BatchRequests} splits a batch into single calls. Errors are {@link
 * dev.bqjobs.emulator.errors.BigQueryError}s in Google's envelope, which Cloud Storage shares.
 */
package dev.bqjobs.emulator.gcs;
