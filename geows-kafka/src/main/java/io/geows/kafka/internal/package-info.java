/** The Kafka adapter's parts: not an API. */
package io.geows.kafka.internal;
