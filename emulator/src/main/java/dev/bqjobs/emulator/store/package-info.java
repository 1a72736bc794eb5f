/**
 * Where data lives: the catalog of projects, datasets and tables on DuckDB (one database per
 * project), row reads and streaming inserts, the metadata store that keeps jobs and table metadata
 * in the data folder, locations, and the folder standing in for {@code gs://}.
 */
package dev.bqjobs.emulator.store;
