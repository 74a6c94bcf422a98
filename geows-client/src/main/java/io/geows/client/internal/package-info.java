/**
 * Implementation details of the geows client. Not API: anything here may change or disappear in
 * any release without notice.
 */
package io.geows.client.internal;
