package dev.bqjobs.pipelines;

import dev.bqjobs.transforms.JobRequest;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One checked entry of a jobs file: either a {@link JobRequest} for the transform, or a problem
 * inside its configuration that makes it a FAILED result without calling BigQuery.
 *
 * @param where how messages name the entry, e.g. {@code entry 3 (line 12)}
 * @param key the entry's unique key
 * @param projectId the entry's own project, or null
 * @param location the entry's own location, or null
 * @param request the request to run, or null when {@code problem} is set
 * @param problem why the configuration cannot be sent, or null
 */
public record JobsFileEntry(
    String where,
    String key,
    @Nullable String projectId,
    @Nullable String location,
    @Nullable JobRequest request,
    @Nullable String problem) {}
