/**
 * The machinery behind {@link io.geows.nats.NatsBroker}: subject and key naming, JetStream requests,
 * history, presence and live delivery. Internal: it may change in any release without notice.
 */
package io.geows.nats.internal;
