/**
 * The HTTP server API ({@link io.geows.http.ServerApi}): how backends in any language publish, send
 * and query through a node, served by any HTTP server the host has.
 *
 * @since 0.1.0
 */
package io.geows.http;
