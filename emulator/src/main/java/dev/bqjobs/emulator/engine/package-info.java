/**
 * Jobs: insert checks, scheduling (PENDING, RUNNING, DONE), execution inside a transaction that
 * commits at DONE, and the job repository (map, metadata store, recovery, listing). What differs
 * per job type is one {@link dev.bqjobs.emulator.engine.JobKind} each (query, load, extract, copy)
 * over its runner; loads are further split by source ({@code LoadSources}) and format ({@code
 * TextLoader}, {@code ParquetLoader}). {@link dev.bqjobs.emulator.engine.JobManager} is the entry
 * point. Nothing here knows HTTP.
 */
package dev.bqjobs.emulator.engine;
