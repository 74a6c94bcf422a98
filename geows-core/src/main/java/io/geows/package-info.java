/**
 * geows: geo-distributed WebSocket messaging. Start with {@link io.geows.GeoWsNode#builder()}.
 *
 * @since 0.1.0
 */
package io.geows;
