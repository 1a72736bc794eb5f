/**
 * The BigQuery v2 (and Cloud Storage JSON) API methods as handlers: each reads an {@link
 * dev.bqjobs.emulator.http.HttpCall}, calls the engine or the store, and answers a {@link
 * dev.bqjobs.emulator.http.Reply}. Paging of lists and the routes of each method live here; errors
 * are thrown as {@link dev.bqjobs.emulator.errors.BigQueryError}.
 */
package dev.bqjobs.emulator.api;
