/**
 * The bottom of the request path and the top of the error path: the Jetty host (TCP_NODELAY,
 * keep-alive), the router (method and path template to handler, body limits, interceptors) and the
 * one place that turns a {@link dev.bqjobs.emulator.errors.BigQueryError} into a status code and
 * BigQuery's error envelope ({@link dev.bqjobs.emulator.http.ApiException}).
 */
package dev.bqjobs.emulator.http;
