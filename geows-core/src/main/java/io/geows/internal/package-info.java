/**
 * geows internals: the codec, the transport and the node's machinery. Not API: anything here may
 * change without notice.
 */
package io.geows.internal;
