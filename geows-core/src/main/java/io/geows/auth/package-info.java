/**
 * Ready-made {@link io.geows.Authenticator}s. {@link io.geows.auth.JwtAuthenticator} needs
 * {@code com.nimbusds:nimbus-jose-jwt} on the class path (an optional dependency of geows-core).
 *
 * @since 0.1.0
 */
package io.geows.auth;
