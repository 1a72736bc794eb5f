/**
 * BigQuery SQL (GoogleSQL) to DuckDB: a tokenizer, a rewriter of identifiers, literals and
 * functions (one table in {@code FunctionRewrites}), type translation, and the analysis of a
 * statement (its type, the tables it reads and writes).
 */
package dev.bqjobs.emulator.sql;
